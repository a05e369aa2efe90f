// Random rotation about the image centre (Lucid's random_rotate), bilinear, keeping the size.
#include <cmath>
#include <numbers>

#include "neuroscope/error.h"
#include "resample.h"

namespace neuroscope {
namespace {

// cos or sin with the last-bit noise at multiples of 90 degrees removed, so that quarter
// turns move whole pixels (cos(pi/2) is 6e-17 in floating point, not 0).
double snapped(double v) {
  return std::abs(v) < 1e-12 ? 0.0 : v;
}

}  // namespace

std::unique_ptr<Transform> make_random_rotate(std::vector<double> degrees) {
  using transform_detail::LinearMap;
  if (degrees.empty()) throw error("random rotation: no angles to choose from");
  std::vector<LinearMap> maps;
  for (double d : degrees) {
    if (!std::isfinite(d)) throw error("random rotation: angle ", d, " is not a number");
    const double radians = d * std::numbers::pi / 180.0;
    const double c = snapped(std::cos(radians)), s = snapped(std::sin(radians));
    // With y pointing down, the output pixel at offset (u, v) reads the source at the offset
    // rotated clockwise, which turns the picture counter-clockwise as displayed.
    maps.push_back({c, -s, s, c});
  }
  return transform_detail::make_random_linear_map(
      "rotate " + transform_detail::describe_choices(degrees, " deg"), std::move(maps));
}

}  // namespace neuroscope
