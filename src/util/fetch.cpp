#include "neuroscope/fetch.h"

#include <curl/curl.h>
#include <fcntl.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstring>
#include <random>

#include <nlohmann/json.hpp>

#include "neuroscope/atomic_file.h"
#include "neuroscope/error.h"
#include "util/closest.h"
#include "util/sha256.h"

namespace neuroscope {
namespace generated {
// data/imagenet_labels.txt as one string, defined in a source file CMake generates from it.
extern const char kImagenetLabels[];
}  // namespace generated

namespace fs = std::filesystem;

// ---- the registry ---------------------------------------------------------------------------

const std::vector<KnownModel>& known_models() {
  static const std::vector<KnownModel> models = {
      {.name = "googlenet",
       .description = "GoogLeNet (Inception v1), ImageNet, from the ONNX model zoo; input data_0 "
                      "[1,3,224,224]",
       .file_name = "googlenet-7.onnx",
       .url = "https://github.com/onnx/models/raw/main/validated/vision/classification/"
              "inception_and_googlenet/googlenet/model/googlenet-7.onnx",
       .size = 28020232,
       .sha256 = "5725ccfd90845735ce5897faf7843c3f9b13acda3c4f3bff82cb21c9337c9de8",
       // Caffe's convention: BGR, 0..255, minus the per-channel ImageNet mean, no scaling.
       .preprocessing = SidecarPreprocessing{.color_order = "BGR",
                                             .scale = 255,
                                             .mean = {103.939, 116.779, 123.68},
                                             .std = {1, 1, 1},
                                             .default_size = 224},
       .labels = LabelSet::kImageNet},
  };
  return models;
}

const KnownModel& find_known_model(std::string_view name) {
  std::vector<std::string> names;
  for (const KnownModel& model : known_models()) {
    if (model.name == name) return model;
    names.push_back(model.name);
  }
  std::string suggestions;
  for (const std::string& known : util::closest_names(name, names, names.size()))
    suggestions += (suggestions.empty() ? "'" : ", '") + known + "'";
  throw error("unknown model '", name, "'; known models: ", suggestions,
              " (or give --url and --sha256)");
}

std::string_view imagenet_labels() {
  return generated::kImagenetLabels;
}

// ---- argument checks ------------------------------------------------------------------------

std::string normalize_sha256(std::string_view text, std::string_view what) {
  std::string hex;
  for (char c : text) {
    if (!std::isxdigit(static_cast<unsigned char>(c))) {
      hex.clear();
      break;
    }
    hex += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  if (hex.size() != 2 * util::Sha256::kDigestSize)
    throw error(what, ": '", text, "' is not a SHA-256 digest (64 hex digits)");
  return hex;
}

std::string file_name_from_url(std::string_view url) {
  std::string_view path = url.substr(0, url.find_first_of("?#"));
  const size_t scheme = path.find("://");
  if (scheme != std::string_view::npos) path.remove_prefix(scheme + 3);
  const size_t slash = path.rfind('/');
  const std::string_view name =
      slash == std::string_view::npos ? std::string_view() : path.substr(slash + 1);
  if (name.empty() || name == "." || name == ".." || name.find('%') != std::string_view::npos)
    throw error("cannot derive a file name from the URL '", url, "'; give one as NAME");
  return std::string(name);
}

namespace {

// ---- the temporary file a download goes to --------------------------------------------------

// A hidden file next to the destination, removed on destruction unless committed (renamed over
// the destination).
class TempFile {
 public:
  explicit TempFile(const fs::path& destination) : destination_(destination) {
    std::random_device random;
    path_ = destination.parent_path() / ("." + destination.filename().string() + ".part" +
                                         std::to_string(getpid()) + "_" + std::to_string(random()));
    fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd_ < 0)
      throw error("cannot write to folder '", destination.parent_path().string(),
                  "': ", std::strerror(errno));
  }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  ~TempFile() {
    if (fd_ >= 0) ::close(fd_);
    if (!committed_) ::unlink(path_.c_str());
  }

  // Returns an errno value: 0 on success.
  int write(const char* data, size_t size) {
    while (size > 0) {
      const ssize_t written = ::write(fd_, data, size);
      if (written < 0) {
        if (errno == EINTR) continue;
        return errno;
      }
      data += written;
      size -= static_cast<size_t>(written);
    }
    return 0;
  }

  // Flushes the data to disk and renames the file over the destination.
  void commit() {
    const bool synced = ::fsync(fd_) == 0;
    const int sync_errno = errno;
    const bool closed = ::close(fd_) == 0;
    fd_ = -1;
    if (!synced || !closed)
      throw error("cannot write '", destination_.string(),
                  "': ", std::strerror(synced ? errno : sync_errno));
    if (::rename(path_.c_str(), destination_.c_str()) != 0)
      throw error("cannot write '", destination_.string(), "': ", std::strerror(errno));
    committed_ = true;
  }

 private:
  fs::path destination_, path_;
  int fd_ = -1;
  bool committed_ = false;
};

// ---- one transfer with libcurl --------------------------------------------------------------

using Clock = std::chrono::steady_clock;

// What the libcurl callbacks share: the file, the running hash, and why they stopped the
// transfer, if they did.
struct Transfer {
  TempFile& file;
  const Download& download;
  const FetchOptions& options;
  util::Sha256 hash;
  uint64_t received = 0;
  uint64_t total = 0;  // the server's Content-Length, when it sent one
  Clock::time_point start = Clock::now();
  Clock::time_point last_report = start;
  std::string stop_reason;  // set when a callback aborted the transfer

  FetchProgress progress() const {
    return {.received = received,
            .total = total > 0 ? total : download.size,
            .seconds = std::chrono::duration<double>(Clock::now() - start).count()};
  }
};

size_t on_data(char* data, size_t, size_t size, void* user) {
  auto& t = *static_cast<Transfer*>(user);
  if (t.download.size > 0 && t.received + size > t.download.size) {
    t.stop_reason = detail::concat("it is larger than the expected ", t.download.size, " bytes");
    return 0;  // makes libcurl fail with CURLE_WRITE_ERROR
  }
  if (const int err = t.file.write(data, size); err != 0) {
    t.stop_reason = detail::concat("cannot write the file: ", std::strerror(err));
    return 0;
  }
  t.hash.update(data, size);
  t.received += size;
  return size;
}

// libcurl calls this about once a second even when no data arrives, so cancellation works on
// a stalled connection too.
int on_progress(void* user, curl_off_t download_total, curl_off_t, curl_off_t, curl_off_t) {
  auto& t = *static_cast<Transfer*>(user);
  if (t.options.cancel && t.options.cancel->load()) {
    t.stop_reason = "interrupted";
    return 1;  // makes libcurl fail with CURLE_ABORTED_BY_CALLBACK
  }
  if (download_total > 0) t.total = static_cast<uint64_t>(download_total);
  const Clock::time_point now = Clock::now();
  if (t.options.on_progress && now - t.last_report >= std::chrono::milliseconds(100)) {
    t.last_report = now;
    t.options.on_progress(t.progress());
  }
  return 0;
}

void init_curl_once() {
  static const CURLcode status = curl_global_init(CURL_GLOBAL_DEFAULT);
  if (status != CURLE_OK) throw error("cannot initialize libcurl: ", curl_easy_strerror(status));
}

struct CurlDeleter {
  void operator()(CURL* curl) const { curl_easy_cleanup(curl); }
};

// One line saying why the transfer failed; the caller appends that the file was removed.
std::string failure_message(CURL* curl, CURLcode code, const Transfer& t, const char* curl_error) {
  const std::string& url = t.download.url;
  const std::string reason = curl_error[0] ? curl_error : curl_easy_strerror(code);
  switch (code) {
    case CURLE_HTTP_RETURNED_ERROR: {
      long status = 0;
      curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
      const char* final_url = nullptr;
      curl_easy_getinfo(curl, CURLINFO_EFFECTIVE_URL, &final_url);
      const std::string via =
          final_url && url != final_url ? detail::concat(" (redirected to ", final_url, ")") : "";
      return detail::concat("cannot download ", url, via, ": the server answered HTTP ", status);
    }
    case CURLE_PARTIAL_FILE: {
      curl_off_t announced = -1;
      curl_easy_getinfo(curl, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &announced);
      const std::string of = announced >= 0 ? detail::concat(" of ", announced) : "";
      return detail::concat("download of ", url, " was cut short after ", t.received, of,
                            " bytes (", reason, ")");
    }
    case CURLE_ABORTED_BY_CALLBACK:
    case CURLE_WRITE_ERROR:
      if (!t.stop_reason.empty())
        return detail::concat("download of ", url, " stopped: ", t.stop_reason);
      [[fallthrough]];
    default:
      return detail::concat("cannot download ", url, ": ", reason);
  }
}

// Runs the transfer into t.file; throws Error (the file not yet removed: the caller's TempFile
// does that) on any failure.
void transfer(Transfer& t) {
  init_curl_once();
  std::unique_ptr<CURL, CurlDeleter> curl(curl_easy_init());
  if (!curl) throw error("cannot download ", t.download.url, ": libcurl failed to start");
  char curl_error[CURL_ERROR_SIZE] = "";
  CURL* c = curl.get();
  curl_easy_setopt(c, CURLOPT_URL, t.download.url.c_str());
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);  // GitHub's raw links redirect
  curl_easy_setopt(c, CURLOPT_MAXREDIRS, 10L);
  curl_easy_setopt(c, CURLOPT_FAILONERROR, 1L);  // HTTP >= 400 is an error, not a body to save
  curl_easy_setopt(c, CURLOPT_USERAGENT, "neuroscope-fetch");
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);  // no SIGALRM for DNS timeouts
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, t.options.connect_timeout_s);
  curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, t.options.low_speed_bytes_per_s);
  curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, t.options.low_speed_time_s);
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, curl_error);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &t);
  curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_progress);
  curl_easy_setopt(c, CURLOPT_XFERINFODATA, &t);
  curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
  const CURLcode code = curl_easy_perform(c);
  if (code != CURLE_OK)
    throw error(failure_message(c, code, t, curl_error),
                t.received > 0 ? "; the partial file was removed" : "");
  if (t.options.on_progress) t.options.on_progress(t.progress());
}

// The folder of a destination, created if needed; the folders it created are removed again
// (if still empty) unless kept, so that a failed fetch leaves nothing behind.
class Folder {
 public:
  explicit Folder(const fs::path& destination) {
    std::error_code ec;
    if (fs::is_directory(destination, ec))
      throw error("cannot write '", destination.string(), "': it is a folder");
    const fs::path dir = destination.parent_path();
    for (fs::path missing = dir; !missing.empty() && !fs::exists(missing, ec);
         missing = missing.parent_path())
      created_.push_back(missing);  // deepest first
    if (!created_.empty() && !fs::create_directories(dir, ec) && ec)
      throw error("cannot create folder '", dir.string(), "': ", ec.message());
  }
  Folder(const Folder&) = delete;
  Folder& operator=(const Folder&) = delete;
  ~Folder() {
    std::error_code ignored;
    for (const fs::path& dir : created_)
      if (!fs::remove(dir, ignored)) break;  // not empty (or not ours any more): keep it
  }
  void keep() { created_.clear(); }

 private:
  std::vector<fs::path> created_;
};

// Whether `file` already holds exactly the expected bytes.
bool already_there(const fs::path& file, const Download& download, const std::string& sha256) {
  std::error_code ec;
  if (!fs::is_regular_file(file, ec)) return false;
  if (download.size > 0 && fs::file_size(file, ec) != download.size) return false;
  return util::sha256_file_hex(file) == sha256;
}

// A number as JSON, integral values without a fraction ("255", not "255.0").
nlohmann::ordered_json json_number(double value) {
  if (std::trunc(value) == value && std::abs(value) < 9.0e15) return static_cast<int64_t>(value);
  return value;
}

nlohmann::ordered_json json_numbers(const std::vector<double>& values) {
  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  for (double v : values) list.push_back(json_number(v));
  return list;
}

// The sidecar in the format resolve_preprocessing() reads (src/vis/preprocess.cpp).
std::string sidecar_json(const SidecarPreprocessing& p) {
  const nlohmann::ordered_json doc = {{"input_color_order", p.color_order},
                                      {"input_scale", json_number(p.scale)},
                                      {"input_mean", json_numbers(p.mean)},
                                      {"input_std", json_numbers(p.std)},
                                      {"default_size", p.default_size}};
  return doc.dump(2) + "\n";
}

std::string_view labels_text(LabelSet labels) {
  switch (labels) {
    case LabelSet::kImageNet:
      return imagenet_labels();
    case LabelSet::kNone:
      break;
  }
  return {};
}

}  // namespace

FetchedFile download_file(const Download& download, const fs::path& destination,
                          const FetchOptions& options) {
  const std::string expected = normalize_sha256(download.sha256, "expected SHA-256");
  const fs::path target = destination.has_parent_path() ? destination : fs::path(".") / destination;
  Folder folder(target);
  if (already_there(target, download, expected))
    return {.path = destination, .size = fs::file_size(target), .sha256 = expected};

  TempFile file(target);
  Transfer t{.file = file, .download = download, .options = options};
  transfer(t);
  if (download.size > 0 && t.received != download.size)
    throw error("download of ", download.url, " gave ", t.received, " bytes, expected ",
                download.size, "; the file was removed");
  const std::string actual = t.hash.hex_digest();
  if (actual != expected)
    throw error("SHA-256 mismatch for ", download.url, ": expected ", expected, ", got ", actual,
                "; the file was removed");
  file.commit();
  folder.keep();
  return {.path = destination, .size = t.received, .sha256 = actual, .downloaded = true};
}

FetchedModel fetch_model(const KnownModel& model, const fs::path& dir,
                         const FetchOptions& options) {
  const fs::path file = dir / model.file_name;
  FetchedModel fetched{
      .model = download_file({.url = model.url, .sha256 = model.sha256, .size = model.size}, file,
                             options)};
  if (model.preprocessing) {
    fs::path sidecar = file;
    sidecar.replace_extension(".json");  // where resolve_preprocessing() looks
    write_file_atomically(sidecar, sidecar_json(*model.preprocessing));
    fetched.preprocessing = sidecar;
  }
  if (const std::string_view labels = labels_text(model.labels); !labels.empty()) {
    fs::path labels_file = file;
    labels_file.replace_extension(".labels.txt");  // where load_labels() looks
    write_file_atomically(labels_file, labels);
    fetched.labels = labels_file;
  }
  return fetched;
}

}  // namespace neuroscope
