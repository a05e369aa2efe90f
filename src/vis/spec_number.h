// Numbers inside the small texts recipes, objectives and transforms are written in.
#pragma once

#include <charconv>
#include <optional>
#include <string_view>

namespace neuroscope::vis {

// The whole of `text` as a number; nothing when it is empty, malformed or has anything left
// over (callers word the error: they know which spec it came from).
template <typename Number>
std::optional<Number> whole_number(std::string_view text) {
  Number value{};
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

}  // namespace neuroscope::vis
