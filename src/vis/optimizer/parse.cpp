// Optimizers by name, for command lines and recipes: "normalized:0.125", "adam", ...
#include <cmath>
#include <string>

#include "neuroscope/error.h"
#include "neuroscope/optimizer.h"
#include "vis/spec_number.h"

namespace neuroscope {
namespace {

constexpr const char* kValidForms =
    "normalized[:STEP] (default 0.125), mean-normalized[:STEP] (default 1.5/255), adam[:LR] "
    "(default 0.05)";

float parse_positive(std::string_view spec, std::string_view text) {
  const std::optional<float> parsed = vis::whole_number<float>(text);
  if (!parsed)
    throw error("optimizer '", spec, "': '", text, "' is not a number; expected ", kValidForms);
  const float value = *parsed;
  if (!(value > 0) || !std::isfinite(value))
    throw error("optimizer '", spec, "': ", text, " must be a positive number");
  return value;
}

}  // namespace

std::unique_ptr<Optimizer> parse_optimizer(std::string_view spec) {
  const size_t colon = spec.find(':');
  const std::string_view name = spec.substr(0, colon);
  const bool has_value = colon != std::string_view::npos;
  auto value_or = [&](float fallback) {
    return has_value ? parse_positive(spec, spec.substr(colon + 1)) : fallback;
  };
  if (name == "normalized") return make_normalized_ascent(value_or(kReferenceStepSize));
  if (name == "mean-normalized") return make_mean_normalized_ascent(value_or(kDeepDreamStepSize));
  if (name == "adam") return make_adam(value_or(kLucidLearningRate));
  throw error("unknown optimizer '", spec, "'; expected ", kValidForms);
}

}  // namespace neuroscope
