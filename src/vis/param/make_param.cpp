// Parameterizations by name, for the command line and recipes.
#include <string>

#include "neuroscope/error.h"
#include "neuroscope/param.h"
#include "vis/spec_number.h"

namespace neuroscope {
namespace {

constexpr const char* kValidSpecs =
    "valid: pixels, fourier, fourier:DECAY (e.g. fourier:1.5), laplacian, laplacian:LEVELS "
    "(e.g. laplacian:6)";

// The whole of `text` as a number.
template <typename Number>
Number parse_argument(std::string_view text) {
  const std::optional<Number> value = vis::whole_number<Number>(text);
  if (!value) throw error("'", text, "' is not a number");
  return *value;
}

}  // namespace

std::unique_ptr<Parameterization> make_param(std::string_view spec) {
  const size_t colon = spec.find(':');
  const std::string_view kind = spec.substr(0, colon);
  const bool has_argument = colon != std::string_view::npos;
  const std::string_view argument = has_argument ? spec.substr(colon + 1) : std::string_view();
  try {
    if (kind == "pixels" && !has_argument) return make_pixel_param();
    if (kind == "fourier")
      return make_fourier_param(has_argument ? parse_argument<double>(argument) : 1.0);
    if (kind == "laplacian")
      return make_laplacian_param(has_argument ? parse_argument<int>(argument) : 4);
  } catch (const Error& e) {
    throw error("bad parameterization '", spec, "': ", e.what(), "; ", kValidSpecs);
  }
  throw error("unknown parameterization '", spec, "'; ", kValidSpecs);
}

}  // namespace neuroscope
