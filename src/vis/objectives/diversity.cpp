#include "vis/objectives/diversity.h"

#include <algorithm>
#include <cmath>

namespace neuroscope::vis {

std::string Diversity::describe() const {
  return call("diversity", {quote_name(tensor_)});
}

void Diversity::check(const Shape& shape) const {
  if (shape.size() < 2)
    fail(detail::concat("tensor '", tensor_, "' has shape ", to_string(shape),
                        ", which has no channel axis"));
  if (shape[0] < 2)
    fail(detail::concat("diversity compares the images of a batch; the batch has ", shape[0],
                        " image"));
  const auto c = static_cast<size_t>(shape[1]), n = static_cast<size_t>(positions(shape));
  grams_.assign(static_cast<size_t>(shape[0]) * c * c, 0.0);
  norms_.assign(static_cast<size_t>(shape[0]), 0.0);
  sum_.assign(c * c, 0.0);
  upstream_.assign(c * c, 0.0);
  row_.assign(n, 0.0);
  transposed_.assign(n * c, 0.0f);
}

void Diversity::normalized_gram(const float* a, int64_t channels, int64_t n, int64_t image) const {
  // G = A A^T row by row as axpys over A^T (contiguous, vectorizable), upper triangle mirrored.
  for (int64_t c = 0; c < channels; ++c)
    for (int64_t p = 0; p < n; ++p)
      transposed_[static_cast<size_t>(p * channels + c)] = a[c * n + p];
  double* gram = grams_.data() + image * channels * channels;
  double squares = 0;
  for (int64_t c1 = 0; c1 < channels; ++c1) {
    double* out = gram + c1 * channels;
    std::fill(out + c1, out + channels, 0.0);
    for (int64_t p = 0; p < n; ++p) {
      const double coef = a[c1 * n + p];
      const float* column = transposed_.data() + p * channels;
      for (int64_t c2 = c1; c2 < channels; ++c2) out[c2] += coef * column[c2];
    }
    for (int64_t c2 = c1; c2 < channels; ++c2) {
      gram[c2 * channels + c1] = out[c2];
      squares += (c2 == c1 ? 1.0 : 2.0) * out[c2] * out[c2];
    }
  }
  const double norm = std::sqrt(squares);
  norms_[static_cast<size_t>(image)] = norm;
  if (norm > 0)
    for (int64_t i = 0; i < channels * channels; ++i) gram[i] /= norm;
}

void Diversity::add_gram_gradient(const float* a, int64_t channels, int64_t n, float* g) const {
  for (int64_t c = 0; c < channels; ++c) {
    std::fill(row_.begin(), row_.end(), 0.0);
    for (int64_t c2 = 0; c2 < channels; ++c2) {
      const double coef = 2.0 * upstream_[static_cast<size_t>(c * channels + c2)];
      const float* source = a + c2 * n;
      for (int64_t p = 0; p < n; ++p) row_[static_cast<size_t>(p)] += coef * source[p];
    }
    for (int64_t p = 0; p < n; ++p)
      g[c * n + p] += static_cast<float>(row_[static_cast<size_t>(p)]);
  }
}

void Diversity::accumulate(const Tensor& act, double weight, std::vector<double>& values,
                           Tensor& grad) const {
  const Shape& s = act.shape();
  const int64_t images = s[0], channels = s[1], n = positions(s), size = channels * channels;
  NS_CHECK(
      grams_.size() == static_cast<size_t>(images * size) && row_.size() == static_cast<size_t>(n),
      "diversity: check() was not called for shape ", to_string(s));
  std::fill(sum_.begin(), sum_.end(), 0.0);
  for (int64_t b = 0; b < images; ++b) {
    normalized_gram(act.data() + b * channels * n, channels, n, b);
    const double* gram = grams_.data() + b * size;
    for (int64_t i = 0; i < size; ++i) sum_[static_cast<size_t>(i)] += gram[i];
  }
  const double others = static_cast<double>(images - 1);
  for (int64_t b = 0; b < images; ++b) {
    const double* gram = grams_.data() + b * size;
    // <g_b, sum_j g_j> - |g_b|^2 = total similarity with the other images.
    double with_sum = 0, own = 0;
    for (int64_t i = 0; i < size; ++i) {
      with_sum += gram[i] * sum_[static_cast<size_t>(i)];
      own += gram[i] * gram[i];
    }
    values[static_cast<size_t>(b)] -= weight * (with_sum - own) / others;
    const double norm = norms_[static_cast<size_t>(b)];
    if (norm == 0) continue;  // no activity: no direction to move in
    // Each pair appears in both images' values: d(sum)/d g_b = -2w/(N-1) (sum - g_b) =: u.
    // Through the normalization: dG = (u - g <g,u>) / |G|.
    const double scale = -2.0 * weight / others;
    double g_dot_u = 0;
    for (int64_t i = 0; i < size; ++i) {
      const double u = scale * (sum_[static_cast<size_t>(i)] - gram[i]);
      upstream_[static_cast<size_t>(i)] = u;
      g_dot_u += gram[i] * u;
    }
    for (int64_t i = 0; i < size; ++i)
      upstream_[static_cast<size_t>(i)] =
          (upstream_[static_cast<size_t>(i)] - gram[i] * g_dot_u) / norm;
    add_gram_gradient(act.data() + b * channels * n, channels, n, grad.data() + b * channels * n);
  }
}

}  // namespace neuroscope::vis
