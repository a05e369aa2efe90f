// Reference LRN (across channels) in float64, as ONNX defines it: the window of channel c is
// [c - floor((size-1)/2), c + ceil((size-1)/2)] clipped to the channels, so an even size
// reaches one channel further up than down.
#include <algorithm>
#include <cmath>

#include "neuroscope/error.h"
#include "ops/ref/ref.h"

namespace neuroscope::ref {

std::vector<RefTensor> ref_LRN(const graph::Node& node, int64_t, const RefInputs& in) {
  const RefTensor& x = need(node, in, 0);
  if (x.rank() < 3) throw error(node.describe(), ": input must be [N, C, spatial...]");
  const int64_t size = node.attr_int("size", 0);
  if (size <= 0) throw error(node.describe(), ": the size attribute must be positive");
  const double alpha = node.attr_float("alpha", 1e-4f), beta = node.attr_float("beta", 0.75f),
               bias = node.attr_float("bias", 1.0f);
  const int64_t channels = x.shape[1], below = (size - 1) / 2, above = size - 1 - below;
  int64_t spatial = 1;
  for (int k = 2; k < x.rank(); ++k) spatial *= x.shape[static_cast<size_t>(k)];
  RefTensor y(x.shape);
  for (int64_t n = 0; n < x.shape[0]; ++n)
    for (int64_t c = 0; c < channels; ++c)
      for (int64_t s = 0; s < spatial; ++s) {
        auto at = [&](int64_t ch) {
          return static_cast<size_t>((n * channels + ch) * spatial + s);
        };
        double square_sum = 0;
        for (int64_t j = std::max<int64_t>(0, c - below); j <= std::min(channels - 1, c + above);
             ++j)
          square_sum += x.v[at(j)] * x.v[at(j)];
        y.v[at(c)] =
            x.v[at(c)] / std::pow(bias + alpha / static_cast<double>(size) * square_sum, beta);
      }
  return {y};
}

}  // namespace neuroscope::ref
