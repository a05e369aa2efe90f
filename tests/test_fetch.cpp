// `neuroscope fetch` and what it is built on: SHA-256 (FIPS 180-2 vectors, coreutils' sha256sum),
// the model registry and the compiled-in ImageNet labels, downloads from a local HTTP server
// (tests/fixtures/http_server.py on 127.0.0.1: good, redirected, wrong hash, cut short, 404,
// stalled, cancelled), the sidecars as the preprocessing code reads them, and the CLI binary.
// Only loopback traffic; every server stops by itself within a minute.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <random>
#include <set>
#include <sstream>
#include <thread>
#include <utility>

#include "neuroscope/error.h"
#include "neuroscope/fetch.h"
#include "neuroscope/model.h"
#include "neuroscope/preprocess.h"
#include "testing/fixtures.h"
#include "testing/testing.h"
#include "util/sha256.h"

namespace neuroscope::testing {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

std::string read_file(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

// Whether `file` holds exactly `expected` (a failure names sizes, not megabytes of binary).
::testing::AssertionResult holds(const fs::path& file, const std::string& expected) {
  const std::string actual = read_file(file);
  if (actual == expected) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << file.string() << " holds " << actual.size() << " bytes, not the expected "
         << expected.size() << (actual.size() == expected.size() ? " (they differ)" : "");
}

std::string random_bytes(size_t size, unsigned seed) {
  std::mt19937 rng(seed);
  std::string bytes(size, '\0');
  for (char& c : bytes) c = static_cast<char>(rng() & 0xff);
  return bytes;
}

// The digest from coreutils' sha256sum: an oracle independent of our implementation.
std::string sha256sum(const fs::path& file) {
  const std::string command = "sha256sum '" + file.string() + "'";
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) throw error("cannot run ", command);
  char hex[65] = "";
  const size_t got = fread(hex, 1, 64, pipe);
  pclose(pipe);
  if (got != 64) throw error(command, " printed no digest");
  return hex;
}

// Runs `argv` with stdout and stderr going to files; `pid` is its process id.
struct Child {
  pid_t pid = -1;

  Child() = default;
  explicit Child(pid_t id) : pid(id) {}
  Child(Child&& other) noexcept : pid(std::exchange(other.pid, -1)) {}
  Child& operator=(Child&& other) noexcept {
    std::swap(pid, other.pid);
    return *this;
  }

  static Child start(std::vector<std::string> argv, const fs::path& out, const fs::path& err,
                     int stdin_fd = -1) {
    std::vector<char*> args;
    for (std::string& s : argv) args.push_back(s.data());
    args.push_back(nullptr);
    const pid_t pid = fork();
    if (pid < 0) throw error("fork failed");
    if (pid == 0) {  // the child: only async-signal-safe calls until exec
      const int o = open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
      const int e = open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
      if (o < 0 || e < 0 || dup2(o, 1) < 0 || dup2(e, 2) < 0) _exit(126);
      if (stdin_fd >= 0 && dup2(stdin_fd, 0) < 0) _exit(126);
      execv(args[0], args.data());
      _exit(127);
    }
    return Child(pid);
  }

  // The wait status, or nullopt if it is still running after `limit`.
  std::optional<int> wait_for(std::chrono::milliseconds limit) {
    const auto end = Clock::now() + limit;
    while (true) {
      int status = 0;
      const pid_t done = waitpid(pid, &status, WNOHANG);
      if (done == pid) {
        pid = -1;
        return status;
      }
      if (Clock::now() > end) return std::nullopt;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }

  // Kills a child that outlived its test.
  ~Child() {
    if (pid > 0 && !wait_for(std::chrono::milliseconds(0))) {
      kill(pid, SIGKILL);
      waitpid(pid, nullptr, 0);
    }
  }
};

// tests/fixtures/http_server.py serving `file` as /good; stops when this object closes its stdin.
class HttpServer {
 public:
  explicit HttpServer(const fs::path& file) {
    int to_server[2];
    // Close-on-exec: neither the server nor later children may hold the writing end, or the
    // server would never see its stdin close.
    if (pipe2(to_server, O_CLOEXEC) != 0) throw error("pipe failed");
    child_ = Child::start(
        {"/usr/bin/python3", NEUROSCOPE_SOURCE_DIR "/tests/fixtures/http_server.py", file.string()},
        logs_ / "port", logs_ / "stderr", to_server[0]);
    close(to_server[0]);
    stdin_ = to_server[1];
    port_ = wait_for_port();
  }
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;
  ~HttpServer() {
    close(stdin_);  // the server's cue to stop
    child_.wait_for(std::chrono::seconds(5));
  }

  std::string url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }

 private:
  int wait_for_port() {
    const auto end = Clock::now() + std::chrono::seconds(20);
    while (Clock::now() < end) {
      const std::string text = read_file(logs_ / "port");
      if (text.find('\n') != std::string::npos) return std::stoi(text);
      if (child_.wait_for(std::chrono::milliseconds(0)))
        throw error("the test HTTP server exited: ", read_file(logs_ / "stderr"));
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    throw error("the test HTTP server printed no port within 20 s");
  }

  TempDir logs_;
  Child child_;
  int stdin_ = -1;
  int port_ = 0;
};

// ---- SHA-256 --------------------------------------------------------------------------------

// FIPS 180-2, appendix B: the three SHA-256 examples.
TEST(Sha256, Fips180_2Vectors) {
  EXPECT_EQ(util::sha256_hex("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(util::sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  const std::string million_a(1000000, 'a');
  EXPECT_EQ(util::sha256_hex(million_a),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
  // The same message in uneven pieces, crossing block boundaries everywhere.
  util::Sha256 pieces;
  for (size_t at = 0, step = 1; at < million_a.size(); at += step, step = step % 97 + 1)
    pieces.update(std::string_view(million_a).substr(at, step));
  EXPECT_EQ(pieces.hex_digest(),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(Sha256, EmptyMessageAndReuse) {
  util::Sha256 hash;
  EXPECT_EQ(hash.hex_digest(), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  hash.update("abc");  // digest() starts a new message
  EXPECT_EQ(hash.hex_digest(), util::sha256_hex("abc"));
}

// Every length around the padding boundaries (55, 56, 63, 64 bytes mod 64) against sha256sum.
TEST(Sha256, MatchesSha256sumAtEveryPaddingBoundary) {
  TempDir dir;
  const std::string bytes = random_bytes(200, 7);
  for (size_t length = 0; length <= bytes.size(); ++length) {
    write_bytes(dir / "m", bytes.substr(0, length));
    EXPECT_EQ(util::sha256_hex(bytes.substr(0, length)), sha256sum(dir / "m"))
        << length << " bytes";
  }
}

TEST(Sha256, FileDigestMatchesSha256sum) {
  TempDir dir;
  write_bytes(dir / "big", random_bytes(3 * 65536 + 123, 11));  // several read chunks
  EXPECT_EQ(util::sha256_file_hex(dir / "big"), sha256sum(dir / "big"));
  try {
    util::sha256_file_hex(dir / "absent");
    ADD_FAILURE() << "no Error for a missing file";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("absent"), std::string::npos) << e.what();
  }
}

// ---- registry, labels, argument checks ------------------------------------------------------

TEST(FetchRegistry, EntriesAreComplete) {
  std::set<std::string> names;
  for (const KnownModel& m : known_models()) {
    SCOPED_TRACE(m.name);
    EXPECT_TRUE(names.insert(m.name).second) << "duplicate name";
    EXPECT_EQ(normalize_sha256(m.sha256, "registry"), m.sha256) << "64 lowercase hex digits";
    EXPECT_TRUE(m.url.starts_with("https://")) << m.url;
    EXPECT_GT(m.size, 0u);
    EXPECT_FALSE(m.description.empty());
    EXPECT_EQ(fs::path(m.file_name).filename(), m.file_name);
    if (m.preprocessing) {
      const size_t channels = m.preprocessing->color_order == "GRAY" ? 1 : 3;
      EXPECT_EQ(m.preprocessing->mean.size(), channels);
      EXPECT_EQ(m.preprocessing->std.size(), channels);
      EXPECT_NO_THROW(parse_color_order(m.preprocessing->color_order));
    }
  }
  EXPECT_EQ(&find_known_model("googlenet"), &known_models().front());
}

TEST(FetchRegistry, UnknownNameSuggestsKnownOnes) {
  try {
    find_known_model("googlenett");
    ADD_FAILURE() << "no Error for an unknown model";
  } catch (const Error& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("unknown model 'googlenett'"), std::string::npos) << message;
    EXPECT_NE(message.find("'googlenet'"), std::string::npos) << message;
  }
}

std::vector<std::string> lines_of(std::string_view text) {
  std::vector<std::string> lines;
  std::istringstream in{std::string(text)};
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

TEST(ImagenetLabels, ThousandUniqueNamesInClassOrder) {
  const std::string_view text = imagenet_labels();
  ASSERT_TRUE(text.ends_with("\n"));
  const std::vector<std::string> labels = lines_of(text);
  ASSERT_EQ(labels.size(), 1000u);
  EXPECT_EQ(std::set<std::string>(labels.begin(), labels.end()).size(), 1000u);
  for (const std::string& label : labels) EXPECT_TRUE(!label.empty() && label.back() != '\r');
  EXPECT_EQ(labels[0], "tench");  // ILSVRC-2012 class order: n01440764 first
  EXPECT_EQ(labels[999], "toilet tissue");
}

// The shared GoogLeNet's labels (another source: WordNet synonym lists) name the same class on
// every line, so the order is the standard one.
TEST(ImagenetLabels, AgreeWithTheSharedSynonymLists) {
  const fs::path shared = googlenet_dir() / "labels.txt";
  NS_REQUIRE_SHARED(shared);
  const std::vector<std::string> ours = lines_of(imagenet_labels());
  const std::vector<std::string> synonyms = lines_of(read_file(shared));
  ASSERT_EQ(synonyms.size(), ours.size());
  int differing = 0;
  for (size_t i = 0; i < ours.size(); ++i) {
    // "great white shark, white shark, man-eater, ..." contains "great white shark"
    if (synonyms[i].find(ours[i]) == std::string::npos) ++differing;
  }
  // torchvision renames the two names that occur twice: "crane bird", "maillot tank suit".
  EXPECT_LE(differing, 2) << "class names out of order?";
}

TEST(FetchArguments, Sha256Normalized) {
  EXPECT_EQ(normalize_sha256(std::string(64, 'A'), "--sha256"), std::string(64, 'a'));
  for (const std::string& bad :
       {std::string(63, 'a'), std::string(65, 'a'), std::string(63, 'a') + "g", std::string("")}) {
    try {
      normalize_sha256(bad, "--sha256");
      ADD_FAILURE() << "accepted '" << bad << "'";
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find("--sha256"), std::string::npos) << e.what();
    }
  }
}

TEST(FetchArguments, FileNameFromUrl) {
  EXPECT_EQ(file_name_from_url("https://host/a/b/net-7.onnx"), "net-7.onnx");
  EXPECT_EQ(file_name_from_url("http://host/net.onnx?download=1#x"), "net.onnx");
  for (const char* bad : {"https://host/", "https://host", "https://host/a/..", "https://h/a%20b"})
    EXPECT_THROW(file_name_from_url(bad), Error) << bad;
}

// ---- downloads from the local server --------------------------------------------------------

fs::path written(const fs::path& file, const std::string& bytes) {
  write_bytes(file, bytes);
  return file;
}

// Waits up to 5 s for the first bytes of a download (/stall sends 1000, then nothing) to reach
// a file in `dir`: the transfer is then mid-way.
bool wait_for_partial_file(const TempDir& dir) {
  for (int i = 0; i < 500; ++i) {
    for (const auto& entry : fs::directory_iterator(dir.path())) {
      std::error_code ec;  // the file may vanish while we look
      const uintmax_t size = entry.file_size(ec);
      if (!ec && size > 0) return true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

class Fetch : public ::testing::Test {
 protected:
  FetchOptions fast_options() const {
    FetchOptions options;
    options.connect_timeout_s = 5;
    return options;
  }

  // Expects `fetch` to throw Error containing every keyword and to leave `out` empty.
  template <typename F>
  void expect_failure(F fetch, const std::vector<std::string>& keywords) {
    try {
      fetch();
      ADD_FAILURE() << "no Error";
    } catch (const Error& e) {
      const std::string message = e.what();
      EXPECT_EQ(message.find('\n'), std::string::npos) << "one line: " << message;
      for (const std::string& keyword : keywords)
        EXPECT_NE(message.find(keyword), std::string::npos)
            << "\"" << keyword << "\" in " << message;
    }
    EXPECT_EQ(out.list(), std::vector<std::string>{}) << "a failed fetch leaves nothing behind";
  }

  TempDir source, out;
  std::string bytes = random_bytes(300000, 3);  // many writes of libcurl's 16 KiB buffer
  fs::path served_file = written(source / "model.bin", bytes);
  std::string sha256 = sha256sum(served_file);
  HttpServer server{served_file};
};

TEST_F(Fetch, GoodDownload) {
  std::vector<FetchProgress> reports;
  FetchOptions options = fast_options();
  options.on_progress = [&](const FetchProgress& p) { reports.push_back(p); };
  const FetchedFile got =
      download_file({.url = server.url("/good"), .sha256 = sha256, .size = bytes.size()},
                    out / "net.onnx", options);
  EXPECT_TRUE(got.downloaded);
  EXPECT_EQ(got.path, out / "net.onnx");
  EXPECT_EQ(got.size, bytes.size());
  EXPECT_EQ(got.sha256, sha256);
  EXPECT_TRUE(holds(out / "net.onnx", bytes));
  EXPECT_EQ(out.list(), std::vector<std::string>{"net.onnx"}) << "no temporary left";
  ASSERT_FALSE(reports.empty());
  EXPECT_EQ(reports.back().received, bytes.size());
  EXPECT_EQ(reports.back().total, bytes.size());
}

TEST_F(Fetch, FollowsRedirectsAndCreatesTheFolder) {
  const fs::path target = out / "sub" / "dir" / "net.onnx";
  download_file({.url = server.url("/redirect"), .sha256 = sha256}, target, fast_options());
  EXPECT_TRUE(holds(target, bytes));
}

TEST_F(Fetch, WrongHashLeavesNoFile) {
  const std::string wrong(64, '0');
  expect_failure(
      [&] {
        download_file({.url = server.url("/good"), .sha256 = wrong}, out / "net.onnx",
                      fast_options());
      },
      {server.url("/good"), "expected " + wrong, "got " + sha256, "removed"});
}

TEST_F(Fetch, CutShortLeavesNoFile) {
  expect_failure(
      [&] {
        download_file({.url = server.url("/cut"), .sha256 = sha256}, out / "net.onnx",
                      fast_options());
      },
      {server.url("/cut"), "cut short",
       std::to_string(bytes.size() / 2) + " of " + std::to_string(bytes.size()), "removed"});
}

TEST_F(Fetch, MissingFileLeavesNoFile) {
  expect_failure(
      [&] {
        download_file({.url = server.url("/missing"), .sha256 = sha256}, out / "net.onnx",
                      fast_options());
      },
      {server.url("/missing"), "HTTP 404"});
  // Nor the folders it created for the file.
  expect_failure(
      [&] {
        download_file({.url = server.url("/missing"), .sha256 = sha256},
                      out / "new" / "sub" / "net.onnx", fast_options());
      },
      {"HTTP 404"});
}

TEST_F(Fetch, UnexpectedSizeLeavesNoFile) {
  expect_failure(
      [&] {
        download_file({.url = server.url("/good"), .sha256 = sha256, .size = bytes.size() - 1},
                      out / "net.onnx", fast_options());
      },
      {"larger than the expected " + std::to_string(bytes.size() - 1) + " bytes", "removed"});
  expect_failure(
      [&] {
        download_file({.url = server.url("/good"), .sha256 = sha256, .size = bytes.size() + 1},
                      out / "net.onnx", fast_options());
      },
      {std::to_string(bytes.size()) + " bytes, expected " + std::to_string(bytes.size() + 1)});
}

TEST_F(Fetch, ConnectionRefused) {
  // Port 1 on loopback: nothing listens there (tcpmux is long gone).
  expect_failure(
      [&] {
        download_file({.url = "http://127.0.0.1:1/x", .sha256 = sha256}, out / "net.onnx",
                      fast_options());
      },
      {"cannot download http://127.0.0.1:1/x", "127.0.0.1"});
}

TEST_F(Fetch, StalledTransferTimesOut) {
  FetchOptions options = fast_options();
  options.low_speed_bytes_per_s = 100000;
  options.low_speed_time_s = 1;
  const auto start = Clock::now();
  expect_failure(
      [&] {
        download_file({.url = server.url("/stall"), .sha256 = sha256}, out / "net.onnx", options);
      },
      {"cannot download " + server.url("/stall"), "too slow", "removed"});
  EXPECT_LT(Clock::now() - start, std::chrono::seconds(10));
}

TEST_F(Fetch, CancelStopsAndRemovesTheTemporary) {
  std::atomic<bool> cancel{false};
  FetchOptions options = fast_options();
  options.cancel = &cancel;
  std::thread canceller([&] {
    wait_for_partial_file(out);
    cancel = true;
  });
  const auto start = Clock::now();
  expect_failure(
      [&] {
        download_file({.url = server.url("/stall"), .sha256 = sha256}, out / "net.onnx", options);
      },
      {"interrupted", "removed"});
  canceller.join();
  EXPECT_LT(Clock::now() - start, std::chrono::seconds(10));
}

TEST_F(Fetch, KeepsAVerifiedFileWithoutDownloading) {
  write_bytes(out / "net.onnx", bytes);
  // /missing would fail: success means nothing was downloaded.
  const FetchedFile got = download_file({.url = server.url("/missing"), .sha256 = sha256},
                                        out / "net.onnx", fast_options());
  EXPECT_FALSE(got.downloaded);
  EXPECT_EQ(got.size, bytes.size());
  EXPECT_TRUE(holds(out / "net.onnx", bytes));
}

TEST_F(Fetch, ReplacesABadFileOnlyOnSuccess) {
  write_bytes(out / "net.onnx", "old contents");
  EXPECT_THROW(download_file({.url = server.url("/cut"), .sha256 = sha256}, out / "net.onnx",
                             fast_options()),
               Error);
  EXPECT_EQ(read_file(out / "net.onnx"), "old contents") << "a failed fetch keeps the old file";
  EXPECT_EQ(out.list(), std::vector<std::string>{"net.onnx"});
  EXPECT_TRUE(download_file({.url = server.url("/good"), .sha256 = sha256}, out / "net.onnx",
                            fast_options())
                  .downloaded);
  EXPECT_TRUE(holds(out / "net.onnx", bytes));
}

TEST_F(Fetch, UnwritableFolder) {
  write_bytes(out / "file", "x");  // a file where a folder should be (works even as root)
  try {
    download_file({.url = server.url("/good"), .sha256 = sha256}, out / "file" / "net.onnx",
                  fast_options());
    ADD_FAILURE() << "no Error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(out.path().string() + "/file"), std::string::npos)
        << e.what();
  }
  EXPECT_EQ(out.list(), std::vector<std::string>{"file"});
}

// A known model's sidecars, read back by the code that uses them: the served file is a real
// (tiny) ONNX model, fetched through a registry-style entry.
TEST(FetchModel, SidecarsAreWhatPreprocessingAndLabelsRead) {
  TempDir source, out;
  const fs::path served = write_tiny_classifier(source.path());
  HttpServer server(served);
  const KnownModel entry{.name = "tiny",
                         .description = "test model",
                         .file_name = "tiny-1.onnx",
                         .url = server.url("/good"),
                         .size = fs::file_size(served),
                         .sha256 = sha256sum(served),
                         .preprocessing = SidecarPreprocessing{.color_order = "BGR",
                                                               .scale = 255,
                                                               .mean = {103.939, 116.779, 123.68},
                                                               .std = {1, 1, 1},
                                                               .default_size = 224},
                         .labels = LabelSet::kImageNet};
  const FetchedModel fetched = fetch_model(entry, out.path(), {});
  EXPECT_EQ(out.list(),
            (std::vector<std::string>{"tiny-1.json", "tiny-1.labels.txt", "tiny-1.onnx"}));
  EXPECT_EQ(fetched.model.path, out / "tiny-1.onnx");
  EXPECT_EQ(fetched.preprocessing, out / "tiny-1.json");
  EXPECT_EQ(fetched.labels, out / "tiny-1.labels.txt");
  EXPECT_TRUE(holds(out / "tiny-1.onnx", read_file(served)));

  const Model model = Model::load(out / "tiny-1.onnx");
  const Preprocessing p = resolve_preprocessing(model, {});
  EXPECT_EQ(p.color_order, ColorOrder::kBGR);
  EXPECT_EQ(p.scale, 255.0f);
  EXPECT_EQ(p.mean, (std::vector<float>{103.939f, 116.779f, 123.68f}));
  EXPECT_EQ(p.std, (std::vector<float>{1, 1, 1}));
  EXPECT_EQ(p.default_size, 224);
  EXPECT_NE(p.source.find("tiny-1.json"), std::string::npos) << p.source;
  const std::vector<std::string> labels = load_labels(model);
  ASSERT_EQ(labels.size(), 1000u);
  EXPECT_EQ(labels.front(), "tench");
  EXPECT_EQ(read_file(out / "tiny-1.labels.txt"), imagenet_labels());
  // The sidecar is plain JSON in the documented form.
  const std::string json = read_file(out / "tiny-1.json");
  EXPECT_NE(json.find("\"input_scale\": 255,"), std::string::npos) << json;
  EXPECT_NE(json.find("\"input_std\": [\n    1,"), std::string::npos) << json;
}

// ---- the command line -----------------------------------------------------------------------

constexpr int kError = 1, kUsage = 2;

TEST_F(Fetch, CliDownloadsAndReports) {
  const CliResult r = run_cli({"fetch", "net.onnx", "--url", server.url("/good"), "--sha256",
                               sha256, "--dir", out.path().string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(holds(out / "net.onnx", bytes));
  EXPECT_EQ(out.list(), std::vector<std::string>{"net.onnx"}) << "no sidecars for --url";
  EXPECT_NE(r.out.find("saved " + (out / "net.onnx").string() + " (" +
                       std::to_string(bytes.size()) + " bytes, SHA-256 " + sha256 + " verified)"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.err.find("fetching net.onnx from " + server.url("/good")), std::string::npos)
      << r.err;
  EXPECT_EQ(r.err.find('\r'), std::string::npos) << "stderr is no terminal: plain lines only";
  // Again: the verified file is kept.
  const CliResult again = run_cli({"fetch", "net.onnx", "--url", server.url("/missing"), "--sha256",
                                   sha256, "--dir", out.path().string()});
  EXPECT_EQ(again.exit_code, 0) << again.err;
  EXPECT_NE(again.out.find("already present"), std::string::npos) << again.out;
}

TEST_F(Fetch, CliNameFromUrlAndQuiet) {
  const CliResult r = run_cli({"fetch", "--url", server.url("/good?x=1"), "--sha256", sha256,
                               "--dir", out.path().string(), "--quiet"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, "");
  EXPECT_TRUE(holds(out / "good", bytes));
}

TEST_F(Fetch, CliFailuresAreOneLineAndLeaveNoFile) {
  const std::string dir = out.path().string();
  auto fetch = [&](const std::string& path, const std::string& hash) {
    return run_cli({"fetch", "net.onnx", "--url", server.url(path), "--sha256", hash, "--dir", dir,
                    "--quiet"});
  };
  expect_cli_error(fetch("/good", std::string(64, 'f')), kError,
                   {"expected " + std::string(64, 'f'), "got " + sha256, "removed"});
  expect_cli_error(fetch("/cut", sha256), kError, {"cut short", "removed"});
  expect_cli_error(fetch("/missing", sha256), kError, {server.url("/missing"), "HTTP 404"});
  EXPECT_EQ(out.list(), std::vector<std::string>{});
  // Without --quiet the progress comes first, but the error is still one last line.
  const CliResult loud = run_cli(
      {"fetch", "net.onnx", "--url", server.url("/missing"), "--sha256", sha256, "--dir", dir});
  ASSERT_FALSE(loud.err_lines().empty());
  EXPECT_TRUE(loud.err_lines().back().starts_with("neuroscope: error: cannot download"))
      << loud.err;
}

TEST_F(Fetch, CliCtrlCRemovesThePartialFile) {
  TempDir logs;
  Child cli = Child::start({NEUROSCOPE_CLI, "fetch", "net.onnx", "--url", server.url("/stall"),
                            "--sha256", sha256, "--dir", out.path().string()},
                           logs / "out", logs / "err");
  ASSERT_TRUE(wait_for_partial_file(out)) << "no temporary file with data after 5 s";
  kill(cli.pid, SIGINT);
  const std::optional<int> status = cli.wait_for(std::chrono::seconds(10));
  ASSERT_TRUE(status) << "still running 10 s after Ctrl-C";
  EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == kError) << "status " << *status;
  EXPECT_NE(read_file(logs / "err").find("interrupted; the partial file was removed"),
            std::string::npos)
      << read_file(logs / "err");
  EXPECT_EQ(out.list(), std::vector<std::string>{});
}

TEST(FetchCli, ListShowsTheRegistry) {
  const CliResult r = run_cli({"fetch", "--list"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  for (const KnownModel& m : known_models()) {
    EXPECT_NE(r.out.find("  " + m.name + "  " + m.file_name), std::string::npos) << r.out;
    EXPECT_NE(r.out.find(m.url), std::string::npos) << r.out;
  }
}

TEST(FetchCli, BadCommandLines) {
  TempDir out;
  const std::string dir = out.path().string(), hash(64, 'a');
  expect_cli_error(run_cli({"fetch", "googlenett", "--dir", dir}), kUsage,
                   {"unknown model 'googlenett'", "'googlenet'"});
  expect_cli_error(run_cli({"fetch", "--url", "http://127.0.0.1:1/x.onnx", "--sha256", "abc"}),
                   kUsage, {"--sha256", "'abc'", "64 hex digits"});
  expect_cli_error(run_cli({"fetch", "--url", "http://127.0.0.1:1/x.onnx"}), kUsage,
                   {"--url needs --sha256"});
  expect_cli_error(run_cli({"fetch", "googlenet", "--sha256", hash}), kUsage, {"--sha256"});
  expect_cli_error(run_cli({"fetch"}), kUsage, {"NAME", "--list"});
  expect_cli_error(run_cli({"fetch", "--list", "googlenet"}), kUsage, {"--list"});
  expect_cli_error(
      run_cli({"fetch", "a/b.onnx", "--url", "http://127.0.0.1:1/x", "--sha256", hash}), kUsage,
      {"'a/b.onnx'", "--dir"});
  write_bytes(out / "file", "x");
  expect_cli_error(run_cli({"fetch", "x.onnx", "--url", "http://127.0.0.1:1/x", "--sha256", hash,
                            "--dir", dir + "/file", "--quiet"}),
                   kError, {dir + "/file"});
  EXPECT_EQ(out.list(), std::vector<std::string>{"file"});
}

}  // namespace
}  // namespace neuroscope::testing
