#include "vis/objectives/term.h"

#include <cctype>
#include <charconv>

namespace neuroscope::vis {

std::string TensorTerm::image_suffix() const {
  return batch_ ? detail::concat("@", *batch_) : std::string();
}

std::string TensorTerm::call(std::string_view name, std::initializer_list<std::string> args) const {
  std::string text(name);
  text += '(';
  for (const std::string& arg : args) {
    if (text.back() != '(') text += ',';
    text += arg;
  }
  text += ')';
  text += image_suffix();
  return text;
}

void TensorTerm::fail(const std::string& what) const {
  throw error("objective ", describe(), ": ", what);
}

void TensorTerm::check_batch(const Shape& shape) const {
  if (shape.empty()) fail(detail::concat("tensor '", tensor_, "' is a scalar; expected a batch"));
  if (batch_ && (*batch_ < 0 || *batch_ >= shape[0]))
    fail(detail::concat("image ", *batch_, " is out of range for batch ", shape[0], " of '",
                        tensor_, "'"));
}

void TensorTerm::check_channel(const Shape& shape, int64_t channel) const {
  if (shape.size() < 2)
    fail(detail::concat("tensor '", tensor_, "' has shape ", to_string(shape),
                        ", which has no channel axis"));
  if (channel < 0 || channel >= shape[1])
    fail(detail::concat("channel ", channel, " is out of range; '", tensor_, "' has ", shape[1],
                        " channels (0..", shape[1] - 1, ")"));
  check_batch(shape);
}

std::string quote_name(const std::string& name) {
  const bool plain = !name.empty() && name.find_first_of(",()'\"") == std::string::npos &&
                     !std::isspace(static_cast<unsigned char>(name.front())) &&
                     !std::isspace(static_cast<unsigned char>(name.back()));
  if (plain) return name;
  const char quote = name.find('\'') == std::string::npos ? '\'' : '"';
  return quote + name + quote;
}

std::string format_number(double value) {
  char buffer[32];
  const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
  return std::string(buffer, result.ptr);
}

int64_t per_image(const Shape& shape) {
  int64_t n = 1;
  for (size_t k = 1; k < shape.size(); ++k) n *= shape[k];
  return n;
}

int64_t positions(const Shape& shape) {
  int64_t n = 1;
  for (size_t k = 2; k < shape.size(); ++k) n *= shape[k];
  return n;
}

}  // namespace neuroscope::vis
