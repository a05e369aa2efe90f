#include "vis/objectives/direction.h"

#include <algorithm>

#include "neuroscope/npy.h"

namespace neuroscope::vis {

std::string Direction::describe() const {
  const std::string source =
      source_.empty() ? detail::concat("<", vector_.size(), " values>") : quote_name(source_);
  return call("direction", {quote_name(tensor_), source});
}

void Direction::check(const Shape& shape) const {
  if (shape.size() < 2)
    fail(detail::concat("tensor '", tensor_, "' has shape ", to_string(shape),
                        ", which has no channel axis"));
  if (static_cast<int64_t>(vector_.size()) != shape[1])
    fail(detail::concat("the direction has ", vector_.size(), " values but '", tensor_, "' has ",
                        shape[1], " channels"));
  check_batch(shape);
}

void Direction::accumulate(const Tensor& act, double weight, std::vector<double>& values,
                           Tensor& grad) const {
  const Shape& s = act.shape();
  const int64_t n = positions(s);
  for (int64_t b = first_image(); b < end_image(s); ++b) {
    double sum = 0;
    for (int64_t c = 0; c < s[1]; ++c) {
      const int64_t offset = (b * s[1] + c) * n;
      const float* a = act.data() + offset;
      float* g = grad.data() + offset;
      const double v = vector_[static_cast<size_t>(c)];
      double channel_sum = 0;
      for (int64_t i = 0; i < n; ++i) {
        channel_sum += a[i];
        g[i] += static_cast<float>(weight * v);
      }
      sum += v * channel_sum;
    }
    values[static_cast<size_t>(b)] += weight * sum;
  }
}

std::vector<float> read_direction(const std::string& file) {
  const Tensor t = read_npy(file);
  if (t.empty()) throw error("direction file '", file, "' holds no values");
  int64_t longest = 1;
  for (int64_t d : t.shape()) longest = std::max(longest, d);
  if (longest != t.size())
    throw error("direction file '", file, "' has shape ", to_string(t.shape()),
                "; expected one value per channel, shape [C]");
  return {t.values().begin(), t.values().end()};
}

}  // namespace neuroscope::vis
