// Random scale about the image centre (Lucid's random_scale). Lucid resizes the image to the
// scaled size; here the size stays fixed (the network is compiled for one input shape), so a
// factor above 1 shows the middle of the enlarged image and one below 1 a grey margin.
#include <cmath>

#include "neuroscope/error.h"
#include "resample.h"

namespace neuroscope {

std::unique_ptr<Transform> make_random_scale(std::vector<double> factors) {
  using transform_detail::LinearMap;
  if (factors.empty()) throw error("random scale: no factors to choose from");
  std::vector<LinearMap> maps;
  for (double f : factors) {
    if (!(std::isfinite(f) && f > 0))
      throw error("random scale: factor ", f, " is not a positive number");
    maps.push_back({1.0 / f, 0.0, 0.0, 1.0 / f});  // output offset / f is the source offset
  }
  return transform_detail::make_random_linear_map(
      "scale " + transform_detail::describe_choices(factors), std::move(maps));
}

}  // namespace neuroscope
