// parse_transforms: a transform chain from a comma-separated text spec (see transform.h).
#include <cmath>
#include <string>
#include <vector>

#include "neuroscope/error.h"
#include "neuroscope/transform.h"
#include "vis/spec_number.h"

namespace neuroscope {
namespace {

constexpr const char* kValidForms =
    "pad:N[:VALUE], jitter:N, roll:N, scale:MIN:MAX:STEP, scale:F1/F2/..., rotate:MAXDEG, "
    "rotate:A/B/..., none, reference, lucid";

std::vector<std::string_view> split(std::string_view text, char separator) {
  std::vector<std::string_view> parts;
  for (size_t start = 0;;) {
    const size_t end = text.find(separator, start);
    parts.push_back(text.substr(start, end == std::string_view::npos ? end : end - start));
    if (end == std::string_view::npos) return parts;
    start = end + 1;
  }
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return s;
}

// Parses one item; `fail` throws an Error naming the item.
class ItemParser {
 public:
  explicit ItemParser(std::string_view item) : item_(item), parts_(split(item, ':')) {}

  void add_to(TransformChain& chain) const {
    const std::string_view name = parts_[0];
    if (name == "none") {
      expect_arguments(0, 0);
    } else if (name == "reference") {
      expect_arguments(0, 0);
      chain.add(make_jitter(8, JitterMode::kWrap));
    } else if (name == "lucid") {
      expect_arguments(0, 0);
      add_lucid(chain);
    } else if (name == "pad") {
      expect_arguments(1, 2);
      const double value = parts_.size() > 2 ? real(parts_[2]) : 0.5;
      chain.add(make_pad(count(parts_[1]), static_cast<float>(value)));
    } else if (name == "jitter" || name == "roll") {
      expect_arguments(1, 1);
      chain.add(
          make_jitter(count(parts_[1]), name == "roll" ? JitterMode::kWrap : JitterMode::kCrop));
    } else if (name == "scale") {
      expect_arguments(1, 3);
      if (parts_.size() == 3) fail("give MIN:MAX:STEP or a list F1/F2/...");
      std::vector<double> factors = parts_.size() == 4 ? range() : list(parts_[1]);
      for (double f : factors)
        if (!(f > 0)) fail("scale factor ", f, " is not positive");
      chain.add(make_random_scale(std::move(factors)));
    } else if (name == "rotate") {
      expect_arguments(1, 1);
      const bool is_list = parts_[1].find('/') != std::string_view::npos;
      if (!is_list && count(parts_[1]) > 180) fail("MAXDEG must be at most 180");
      chain.add(
          make_random_rotate(is_list ? list(parts_[1]) : symmetric_integers(count(parts_[1]))));
    } else {
      fail("unknown transform '", name, "'");
    }
  }

 private:
  // Lucid's standard_transforms, with its own lists: scales 1 + (i - 5) / 50 and angles
  // -10..10 plus five more 0s (so that about a quarter of the steps do not rotate).
  static void add_lucid(TransformChain& chain) {
    std::vector<double> scales, angles = symmetric_integers(10);
    for (int i = 0; i < 11; ++i) scales.push_back(1.0 + (i - 5) / 50.0);
    angles.insert(angles.end(), 5, 0.0);
    chain.add(make_pad(12, 0.5f));
    chain.add(make_jitter(8, JitterMode::kCrop));
    chain.add(make_random_scale(std::move(scales)));
    chain.add(make_random_rotate(std::move(angles)));
    chain.add(make_jitter(4, JitterMode::kCrop));
  }

  static std::vector<double> symmetric_integers(int64_t max) {
    std::vector<double> values;
    for (int64_t v = -max; v <= max; ++v) values.push_back(static_cast<double>(v));
    return values;
  }

  template <typename... Reason>
  [[noreturn]] void fail(const Reason&... reason) const {
    throw error("transform '", item_, "': ", reason..., "; valid forms: ", kValidForms);
  }

  void expect_arguments(size_t min, size_t max) const {
    const size_t given = parts_.size() - 1;
    if (given < min || given > max) fail(given < min ? "missing a value" : "too many ':' values");
  }

  int64_t count(std::string_view text) const {
    const std::optional<int64_t> v = vis::whole_number<int64_t>(text);
    if (!v || *v < 0) fail("'", text, "' is not a whole number >= 0");
    return *v;
  }

  double real(std::string_view text) const {
    const std::optional<double> v = vis::whole_number<double>(text);
    if (!v || !std::isfinite(*v)) fail("'", text, "' is not a number");
    return *v;
  }

  std::vector<double> list(std::string_view text) const {
    std::vector<double> values;
    for (std::string_view part : split(text, '/')) values.push_back(real(part));
    return values;
  }

  // MIN, MIN+STEP, ... up to MAX (MAX included when the step divides the range).
  std::vector<double> range() const {
    const double min = real(parts_[1]), max = real(parts_[2]), step = real(parts_[3]);
    if (!(step > 0) || max < min) fail("needs MIN <= MAX and STEP > 0");
    const double steps = std::floor((max - min) / step + 1e-9);
    if (steps > 10000) fail("more than 10000 factors");
    std::vector<double> values;
    for (int i = 0; i <= static_cast<int>(steps); ++i) values.push_back(min + i * step);
    return values;
  }

  std::string_view item_;
  std::vector<std::string_view> parts_;
};

}  // namespace

TransformChain parse_transforms(std::string_view spec) {
  TransformChain chain;
  if (trim(spec).empty())
    throw error("empty transform list (use 'none' for no transforms); valid forms: ", kValidForms);
  for (std::string_view item : split(spec, ',')) {
    item = trim(item);
    if (item.empty())
      throw error("transform list '", spec, "' has an empty item; valid forms: ", kValidForms);
    ItemParser(item).add_to(chain);
  }
  return chain;
}

}  // namespace neuroscope
