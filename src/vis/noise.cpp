#include <algorithm>

#include "neuroscope/error.h"
#include "neuroscope/image.h"
#include "neuroscope/param.h"

namespace neuroscope {

void Parameterization::start_from(int64_t, const Tensor&) {
  throw error("the ", name(), " parameterization cannot start from an image");
}

void multiscale_noise(Tensor& images, int64_t index, std::mt19937_64& rng) {
  NS_CHECK(images.rank() == 4 && index < images.dim(0));
  const int64_t channels = images.dim(1), height = images.dim(2), width = images.dim(3);
  const int64_t size = channels * height * width;
  float* out = images.data() + index * size;
  std::fill(out, out + size, 0.0f);
  std::uniform_real_distribution<float> uniform(0.0f, 1.0f);
  for (int64_t scale = 1;; scale *= 2) {
    const int64_t h = std::min(scale, height), w = std::min(scale, width);
    Tensor coarse({channels, h, w});
    for (float& v : coarse.values()) v = uniform(rng);
    const Tensor full = resize_bilinear(coarse, height, width);
    for (int64_t i = 0; i < size; ++i) out[i] += full[i];
    if (h == height && w == width) break;
  }
  const auto [lo, hi] = std::minmax_element(out, out + size);
  const float low = *lo, range = std::max(*hi - *lo, 1e-12f);
  for (int64_t i = 0; i < size; ++i) out[i] = (out[i] - low) / range;
}

}  // namespace neuroscope
