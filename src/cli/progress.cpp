#include "cli/progress.h"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iostream>

namespace neuroscope::cli {

std::string format_duration(double seconds) {
  char text[32];
  if (seconds < 10) std::snprintf(text, sizeof text, "%.1fs", seconds);
  else if (seconds < 60) std::snprintf(text, sizeof text, "%.0fs", seconds);
  else std::snprintf(text, sizeof text, "%dm%02ds", static_cast<int>(seconds / 60), static_cast<int>(seconds) % 60);
  return text;
}

Progress::Progress(std::string label, bool quiet)
    : label_(std::move(label)),
      quiet_(quiet),
      terminal_(isatty(STDERR_FILENO) != 0),
      start_(std::chrono::steady_clock::now()),
      last_draw_(start_) {}

void Progress::update(double fraction, const std::string& detail) {
  if (quiet_) return;
  fraction = std::clamp(fraction, 0.0, 1.0);
  const auto now = std::chrono::steady_clock::now();
  const double elapsed = std::chrono::duration<double>(now - start_).count();
  const std::string eta =
      fraction > 0 ? ", ETA " + format_duration(elapsed * (1 - fraction) / fraction) : "";
  if (terminal_) {
    if (drawn_ && now - last_draw_ < std::chrono::milliseconds(100) && fraction < 1) return;
    last_draw_ = now;
    drawn_ = true;
    constexpr int kWidth = 24;
    const int filled = static_cast<int>(std::lround(fraction * kWidth));
    std::cerr << "\r\033[K" << label_ << " [" << std::string(static_cast<size_t>(filled), '#')
              << std::string(static_cast<size_t>(kWidth - filled), '.') << "] "
              << static_cast<int>(fraction * 100) << "% " << detail << eta << std::flush;
    return;
  }
  const int decile = static_cast<int>(fraction * 10);
  if (decile == last_decile_) return;
  last_decile_ = decile;
  std::cerr << label_ << ": " << decile * 10 << "% " << detail << eta << "\n";
}

void Progress::finish(const std::string& summary) {
  if (quiet_) return;
  if (terminal_ && drawn_) std::cerr << "\r\033[K";
  const double elapsed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  std::cerr << label_ << ": " << summary << " (" << format_duration(elapsed) << ")\n";
}

}  // namespace neuroscope::cli
