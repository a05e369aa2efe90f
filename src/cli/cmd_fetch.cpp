// `neuroscope fetch NAME [--dir DIR]`: downloads a known model (or any, with --url and --sha256),
// verifies its size and SHA-256, and writes its preprocessing and class names next to it. The
// only command that uses the network.
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <iostream>

#include "cli/command.h"
#include "neuroscope/fetch.h"

namespace neuroscope::cli {
namespace {

// ---- Ctrl-C: stop the transfer and remove the partial file ----------------------------------

std::atomic<bool> interrupted{false};
static_assert(std::atomic<bool>::is_always_lock_free, "the signal handler needs a lock-free flag");

extern "C" void on_interrupt(int) {
  interrupted.store(true);
}

// While alive, SIGINT and SIGTERM set `interrupted` (which the download polls) instead of
// killing the process. SA_RESETHAND: a second Ctrl-C kills as usual, should a transfer hang.
class InterruptHandler {
 public:
  InterruptHandler() {
    struct sigaction action = {};
    action.sa_handler = on_interrupt;
    action.sa_flags = SA_RESETHAND | SA_RESTART;
    sigemptyset(&action.sa_mask);
    sigaction(SIGINT, &action, &old_int_);
    sigaction(SIGTERM, &action, &old_term_);
  }
  InterruptHandler(const InterruptHandler&) = delete;
  InterruptHandler& operator=(const InterruptHandler&) = delete;
  ~InterruptHandler() {
    sigaction(SIGINT, &old_int_, nullptr);
    sigaction(SIGTERM, &old_term_, nullptr);
  }

 private:
  struct sigaction old_int_ = {}, old_term_ = {};
};

// ---- progress on stderr ---------------------------------------------------------------------

std::string mebibytes(double bytes) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f MiB", bytes / (1024.0 * 1024.0));
  return text;
}

// On a terminal, one line redrawn in place; otherwise (logs, pipes) a plain line at each quarter
// of the transfer, or every 10 s while the size is unknown.
class ProgressPrinter {
 public:
  explicit ProgressPrinter(std::string file)
      : file_(std::move(file)), tty_(isatty(STDERR_FILENO)) {}

  void operator()(const FetchProgress& p) {
    const double rate = p.seconds > 0 ? static_cast<double>(p.received) / p.seconds : 0;
    std::string line = file_ + ": " + mebibytes(static_cast<double>(p.received));
    int percent = -1;
    if (p.total > 0) {
      percent =
          static_cast<int>(100.0 * static_cast<double>(p.received) / static_cast<double>(p.total));
      line +=
          " of " + mebibytes(static_cast<double>(p.total)) + " (" + std::to_string(percent) + "%)";
    }
    line += ", " + mebibytes(rate) + "/s";
    if (tty_) {
      std::cerr << "\r" << line << "\033[K" << std::flush;  // \033[K clears the old line's tail
      drawn_ = true;
    } else if (percent >= 0 ? percent / 25 > last_quarter_ : p.seconds >= last_seconds_ + 10) {
      std::cerr << line << "\n";
      last_quarter_ = percent / 25;
      last_seconds_ = p.seconds;
    }
  }

  // Ends the redrawn line (also when the transfer failed, so the error starts on its own line).
  ~ProgressPrinter() {
    if (drawn_) std::cerr << "\n";
  }

 private:
  std::string file_;
  bool tty_;
  bool drawn_ = false;
  int last_quarter_ = 0;
  double last_seconds_ = 0;
};

// ---- the command ----------------------------------------------------------------------------

void print_list() {
  std::cout << "known models (neuroscope fetch NAME [--dir DIR]):\n";
  for (const KnownModel& m : known_models())
    std::cout << "  " << m.name << "  " << m.file_name << ", "
              << mebibytes(static_cast<double>(m.size)) << ": " << m.description << "\n    "
              << m.url << "\n";
}

// What to fetch, from NAME, --url and --sha256; UsageError for combinations that make no sense.
KnownModel what_to_fetch(const Args& args) {
  const std::optional<std::string> name =
      args.positional_count() > 0 ? std::optional(args.positional(0)) : std::nullopt;
  const std::optional<std::string> url = args.value("url");
  if (!url) {
    if (args.has("sha256"))
      throw usage_error("--sha256 goes with --url (known models carry their own)");
    if (!name) throw usage_error("'fetch' needs NAME (see 'neuroscope fetch --list') or --url");
    try {
      return find_known_model(*name);
    } catch (const Error& e) {  // a name that is not in the list: the command line is wrong
      throw UsageError(e.what());
    }
  }
  const std::optional<std::string> sha256 = args.value("sha256");
  if (!sha256) throw usage_error("--url needs --sha256 (the file's SHA-256, 64 hex digits)");
  KnownModel model{.url = *url};
  try {
    model.sha256 = normalize_sha256(*sha256, "--sha256");
    model.file_name = name ? *name : file_name_from_url(*url);
  } catch (const Error& e) {
    throw UsageError(e.what());
  }
  if (model.file_name.find('/') != std::string::npos || model.file_name.starts_with("."))
    throw usage_error("NAME '", model.file_name,
                      "' must be a plain file name (use --dir for the folder)");
  model.name = model.file_name;
  return model;
}

void print_result(const FetchedModel& fetched) {
  const FetchedFile& model = fetched.model;
  std::cout << (model.downloaded ? "saved " : "already present: ") << model.path.string() << " ("
            << model.size << " bytes, SHA-256 " << model.sha256 << " verified)\n";
  if (fetched.preprocessing)
    std::cout << "wrote " << fetched.preprocessing->string() << " (preprocessing)\n";
  if (fetched.labels) std::cout << "wrote " << fetched.labels->string() << " (class names)\n";
}

// Fetches with Ctrl-C handling and, unless quiet, progress on stderr (ended before returning,
// so that what follows starts on a line of its own).
FetchedModel fetch_with_progress(const KnownModel& model, const std::filesystem::path& dir,
                                 bool quiet) {
  InterruptHandler interrupt_handler;
  ProgressPrinter printer(model.file_name);
  FetchOptions options{.cancel = &interrupted};
  if (!quiet) {
    options.on_progress = [&printer](const FetchProgress& p) { printer(p); };
    std::cerr << "fetching " << model.file_name << " from " << model.url << "\n";
  }
  return fetch_model(model, dir, options);
}

int run_fetch(const Args& args) {
  if (args.has("list")) {
    if (args.positional_count() > 0 || args.has("url") || args.has("sha256"))
      throw usage_error("--list takes no model");
    print_list();
    return 0;
  }
  const KnownModel model = what_to_fetch(args);
  const bool quiet = args.has("quiet");
  const FetchedModel fetched = fetch_with_progress(model, args.value("dir").value_or("."), quiet);
  if (!quiet) print_result(fetched);
  return 0;
}

}  // namespace

extern const Command kFetchCommand{
    .spec =
        {.name = "fetch",
         .summary = "Download a known model (or any, with --url), verified by SHA-256.",
         .positionals = {{.name = "NAME",
                          .help = "a known model (see --list); with --url, the file name "
                                  "(default: the URL's last part)",
                          .optional = true}},
         .flags = {{.name = "dir", .value = "DIR", .help = "the folder to write to (default: .)"},
                   {.name = "url", .value = "URL", .help = "fetch this http(s) URL instead"},
                   {.name = "sha256",
                    .value = "HEX",
                    .help = "the SHA-256 the --url file must have (64 hex digits)"},
                   {.name = "list", .help = "list the known models and exit"},
                   {.name = "quiet", .help = "print nothing but errors"}},
         .details =
             "Known models come with their preprocessing (DIR/<stem>.json) and class names\n"
             "(DIR/<stem>.labels.txt), which the other commands read. The file is downloaded\n"
             "to a temporary file in DIR and renamed only once its size and SHA-256 match; a\n"
             "failed or interrupted (Ctrl-C) fetch leaves no file behind, and a file already\n"
             "there with the right SHA-256 is kept. Exit codes: 0 success, 1 network, HTTP,\n"
             "hash or file error, 2 bad command line (also an unknown NAME or a bad --sha256)."},
    .run = run_fetch};

}  // namespace neuroscope::cli
