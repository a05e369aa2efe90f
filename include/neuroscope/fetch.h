// neuroscope/fetch.h: downloading models over HTTP(S), verified by size and SHA-256.
//
//   neuroscope::fetch_model(neuroscope::find_known_model("googlenet"), "models", {});
//   // models/googlenet-7.onnx         the model, SHA-256 verified
//   // models/googlenet-7.json         its preprocessing (read by resolve_preprocessing())
//   // models/googlenet-7.labels.txt   its class names (read by load_labels())
//
//   neuroscope::download_file({.url = "https://host/net.onnx", .sha256 = "5725cc..."},
//                             "models/net.onnx", {});
//
// A download goes to a hidden temporary file in the destination folder, which is renamed over the
// target only once its size and SHA-256 check out; on any failure (network, HTTP status, a
// transfer cut short, a hash mismatch, cancellation) the temporary is removed and Error says why,
// in one line naming the URL. The sidecar files are written atomically too. This is the only part
// of neuroscope that touches the network.
#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace neuroscope {

// What a fetched model's sidecar <stem>.json says: network input channel c =
// (pixel[colour channel c] * scale - mean[c]) / std[c] for pixels in [0, 1] (see preprocess.h).
struct SidecarPreprocessing {
  std::string color_order;  // "RGB", "BGR" or "GRAY"
  double scale = 1;
  std::vector<double> mean, std;
  int64_t default_size = 224;
};

// Which class names go next to a fetched model as <stem>.labels.txt.
enum class LabelSet { kNone, kImageNet };

// An entry of the registry of models that `neuroscope fetch NAME` knows (src/util/fetch.cpp).
struct KnownModel {
  std::string name;         // what `neuroscope fetch NAME` takes: "googlenet"
  std::string description;  // one line
  std::string file_name;    // "googlenet-7.onnx"
  std::string url;
  uint64_t size = 0;   // bytes; 0 when unknown
  std::string sha256;  // 64 lowercase hex digits
  std::optional<SidecarPreprocessing> preprocessing;
  LabelSet labels = LabelSet::kNone;
};

const std::vector<KnownModel>& known_models();
// Throws Error for an unknown name, listing the known ones (closest first).
const KnownModel& find_known_model(std::string_view name);

// The 1000 ImageNet-1k class names, one per line in class order, compiled in from
// data/imagenet_labels.txt (see tools/make_imagenet_labels.py).
std::string_view imagenet_labels();

// `text` as 64 lowercase hex digits; Error naming `what` ("--sha256") unless it is 64 hex digits.
std::string normalize_sha256(std::string_view text, std::string_view what);
// The last path segment of a URL ("https://host/a/net.onnx?x=1" -> "net.onnx"); Error when there
// is none usable as a file name.
std::string file_name_from_url(std::string_view url);

struct FetchProgress {
  uint64_t received = 0;  // bytes so far
  uint64_t total = 0;     // 0 while unknown
  double seconds = 0;     // since the transfer started
};

struct FetchOptions {
  // Called at most ten times a second during a transfer, and once when it has completed. It runs
  // inside libcurl's callbacks, so it must not throw.
  std::function<void(const FetchProgress&)> on_progress;
  // Aborts the transfer when it becomes true (e.g. set by a SIGINT handler; lock-free, so
  // signal-safe).
  const std::atomic<bool>* cancel = nullptr;
  long connect_timeout_s = 30;
  // Aborts when fewer than this many bytes per second arrive for low_speed_time_s seconds.
  long low_speed_bytes_per_s = 1024;
  long low_speed_time_s = 60;
};

struct Download {
  std::string url;     // http:// or https://; redirects are followed
  std::string sha256;  // expected digest (64 hex digits, either case); required
  uint64_t size = 0;   // expected size in bytes; 0 when unknown
};

struct FetchedFile {
  std::filesystem::path path;
  uint64_t size = 0;
  std::string sha256;
  bool downloaded = false;  // false when the file was already there with the right hash
};

// Downloads `download` to `destination`, creating its folder if needed. A file already at
// `destination` with the expected SHA-256 is kept without downloading; any other is replaced
// only once the new one is verified.
FetchedFile download_file(const Download& download, const std::filesystem::path& destination,
                          const FetchOptions& options);

struct FetchedModel {
  FetchedFile model;
  std::optional<std::filesystem::path> preprocessing;  // <stem>.json, when the entry has one
  std::optional<std::filesystem::path> labels;         // <stem>.labels.txt, when it has labels
};

// Downloads the model into `dir` as model.file_name, then writes its sidecars next to it.
FetchedModel fetch_model(const KnownModel& model, const std::filesystem::path& dir,
                         const FetchOptions& options);

}  // namespace neuroscope
