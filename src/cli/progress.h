// cli/progress.h: progress of long work on stderr. On a terminal: one line redrawn in place
// with a bar, steps and ETA; otherwise (logs, CI): a plain line every 10%. Nothing with --quiet.
#pragma once

#include <chrono>
#include <string>

namespace neuroscope::cli {

class Progress {
 public:
  Progress(std::string label, bool quiet);
  // fraction in [0,1]; `detail` like "step 128/256, objective 1.2e6".
  void update(double fraction, const std::string& detail);
  // Ends the line (terminal) and prints `summary` unless quiet.
  void finish(const std::string& summary);

 private:
  std::string label_;
  bool quiet_, terminal_;
  std::chrono::steady_clock::time_point start_, last_draw_;
  int last_decile_ = -1;
  bool drawn_ = false;
};

// "1m23s", "12s", "0.4s"
std::string format_duration(double seconds);

}  // namespace neuroscope::cli
