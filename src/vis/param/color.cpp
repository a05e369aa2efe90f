#include "vis/param/color.h"

#include <algorithm>
#include <cmath>

#include "neuroscope/error.h"

namespace neuroscope::vis {
namespace {

ColourMatrix normalized_colour_matrix() {
  ColourMatrix m{{{0.26, 0.09, 0.02}, {0.27, 0.00, -0.05}, {0.27, -0.09, 0.03}}};
  double largest = 0;
  for (size_t col = 0; col < 3; ++col) {
    double norm2 = 0;
    for (size_t row = 0; row < 3; ++row) norm2 += m[row][col] * m[row][col];
    largest = std::max(largest, std::sqrt(norm2));
  }
  for (auto& row : m)
    for (double& v : row) v /= largest;
  return m;
}

ColourMatrix inverse(const ColourMatrix& m) {
  // Adjugate over determinant; the matrix is well conditioned (a rotation-like square root).
  ColourMatrix inv{};
  for (size_t r = 0; r < 3; ++r)
    for (size_t c = 0; c < 3; ++c) {
      const size_t r1 = (c + 1) % 3, r2 = (c + 2) % 3, c1 = (r + 1) % 3, c2 = (r + 2) % 3;
      inv[r][c] = m[r1][c1] * m[r2][c2] - m[r1][c2] * m[r2][c1];
    }
  const double det = m[0][0] * inv[0][0] + m[0][1] * inv[1][0] + m[0][2] * inv[2][0];
  for (auto& row : inv)
    for (double& v : row) v /= det;
  return inv;
}

void check_channels(int64_t channels) {
  NS_CHECK(channels == 1 || channels == 3, channels, " channels");
}

float sigmoid(float z) {
  return 1.0f / (1.0f + std::exp(-z));
}

// out[c][p] = sum_j m[c][j] in[j][p] over 3 planes of `pixels`.
void mix_colours(const ColourMatrix& m, int64_t pixels, const float* in, float* out) {
  for (size_t c = 0; c < 3; ++c) {
    const auto m0 = static_cast<float>(m[c][0]), m1 = static_cast<float>(m[c][1]),
               m2 = static_cast<float>(m[c][2]);
    float* o = out + static_cast<int64_t>(c) * pixels;
    for (int64_t p = 0; p < pixels; ++p)
      o[p] = m0 * in[p] + m1 * in[pixels + p] + m2 * in[2 * pixels + p];
  }
}

ColourMatrix transpose(const ColourMatrix& m) {
  ColourMatrix t{};
  for (size_t r = 0; r < 3; ++r)
    for (size_t c = 0; c < 3; ++c) t[r][c] = m[c][r];
  return t;
}

}  // namespace

const ColourMatrix& colour_matrix() {
  static const ColourMatrix m = normalized_colour_matrix();
  return m;
}

void colour_forward(int64_t channels, int64_t pixels, const float* decorrelated, float* rgb) {
  check_channels(channels);
  if (channels == 3) {
    mix_colours(colour_matrix(), pixels, decorrelated, rgb);
  } else {
    std::copy(decorrelated, decorrelated + pixels, rgb);
  }
  for (int64_t i = 0; i < channels * pixels; ++i) rgb[i] = sigmoid(rgb[i]);
}

void colour_backward(int64_t channels, int64_t pixels, const float* rgb, const float* rgb_grad,
                     float* decorrelated_grad) {
  check_channels(channels);
  // Through the sigmoid (s' = s (1 - s)), then the adjoint of the mix: M^T.
  float* g = decorrelated_grad;
  if (channels == 3) {
    static const ColourMatrix mt = transpose(colour_matrix());
    // Three sigmoid-scaled gradient planes are needed at once: compute them per pixel.
    for (int64_t p = 0; p < pixels; ++p) {
      float s[3];
      for (int64_t c = 0; c < 3; ++c) {
        const float v = rgb[c * pixels + p];
        s[c] = rgb_grad[c * pixels + p] * v * (1.0f - v);
      }
      for (size_t j = 0; j < 3; ++j)
        g[static_cast<int64_t>(j) * pixels + p] = static_cast<float>(mt[j][0]) * s[0] +
                                                  static_cast<float>(mt[j][1]) * s[1] +
                                                  static_cast<float>(mt[j][2]) * s[2];
    }
  } else {
    for (int64_t p = 0; p < pixels; ++p) g[p] = rgb_grad[p] * rgb[p] * (1.0f - rgb[p]);
  }
}

void colour_inverse(int64_t channels, int64_t pixels, const float* rgb, float* decorrelated) {
  check_channels(channels);
  // logit of the clamped colour, then (RGB) the inverse mix.
  float* logits = decorrelated;
  std::vector<float> mixed;
  if (channels == 3) {
    mixed.resize(static_cast<size_t>(3 * pixels));
    logits = mixed.data();
  }
  for (int64_t i = 0; i < channels * pixels; ++i) {
    const double v = std::clamp(static_cast<double>(rgb[i]), 1e-3, 1.0 - 1e-3);
    logits[i] = static_cast<float>(std::log(v / (1.0 - v)));
  }
  if (channels == 3) {
    static const ColourMatrix inv = inverse(colour_matrix());
    mix_colours(inv, pixels, logits, decorrelated);
  }
}

// --- DecorrelatedParam ---------------------------------------------------------------------

void DecorrelatedParam::initialize(int64_t batch, int64_t channels, int64_t height, int64_t width,
                                   ImageRngs& rngs) {
  if (channels != 1 && channels != 3)
    throw error("the ", name(), " parameterization needs 1 (grey) or 3 (RGB) channels, not ",
                channels);
  NS_CHECK(batch > 0 && height > 0 && width > 0 && static_cast<int64_t>(rngs.size()) >= batch);
  image_shape_ = {channels, height, width};
  image_size_ = channels * height * width;
  theta_size_ = prepare(channels, height, width);
  theta_.assign(static_cast<size_t>(batch * theta_size_), 0.0f);
  pre_colour_.assign(static_cast<size_t>(image_size_), 0.0f);
  rendered_.assign(static_cast<size_t>(batch * image_size_), 0.0f);
  rendered_theta_.assign(theta_.size(), 0.0f);
  rendered_valid_ = false;
  for (int64_t b = 0; b < batch; ++b) {
    // A distribution per image: it caches every second draw, which would leak across images.
    std::normal_distribution<float> normal(0.0f, 0.01f);
    std::mt19937_64& rng = rngs[static_cast<size_t>(b)];
    for (float& v : std::span(theta_).subspan(static_cast<size_t>(b * theta_size_),
                                              static_cast<size_t>(theta_size_)))
      v = normal(rng);
  }
}

void DecorrelatedParam::render_all(float* images) const {
  const int64_t batch = static_cast<int64_t>(theta_.size()) / theta_size_;
  const int64_t pixels = image_shape_[1] * image_shape_[2];
  for (int64_t b = 0; b < batch; ++b) {
    synthesize(theta_.data() + b * theta_size_, pre_colour_.data());
    colour_forward(image_shape_[0], pixels, pre_colour_.data(), images + b * image_size_);
  }
}

void DecorrelatedParam::render(Tensor& images) const {
  NS_CHECK(images.size() == static_cast<int64_t>(rendered_.size()), to_string(images.shape()));
  render_all(rendered_.data());
  std::copy(rendered_.begin(), rendered_.end(), images.data());
  std::copy(theta_.begin(), theta_.end(), rendered_theta_.begin());
  rendered_valid_ = true;
}

void DecorrelatedParam::backward(const Tensor& image_gradient,
                                 std::span<float> theta_gradient) const {
  NS_CHECK(image_gradient.size() == static_cast<int64_t>(rendered_.size()) &&
           theta_gradient.size() == theta_.size());
  if (!rendered_valid_ || !std::equal(theta_.begin(), theta_.end(), rendered_theta_.begin())) {
    render_all(rendered_.data());
    std::copy(theta_.begin(), theta_.end(), rendered_theta_.begin());
    rendered_valid_ = true;
  }
  const int64_t batch = static_cast<int64_t>(theta_.size()) / theta_size_;
  const int64_t pixels = image_shape_[1] * image_shape_[2];
  for (int64_t b = 0; b < batch; ++b) {
    colour_backward(image_shape_[0], pixels, rendered_.data() + b * image_size_,
                    image_gradient.data() + b * image_size_, pre_colour_.data());
    synthesize_adjoint(pre_colour_.data(), theta_gradient.data() + b * theta_size_);
  }
}

void DecorrelatedParam::start_from(int64_t index, const Tensor& image) {
  if (image.shape() != image_shape_)
    throw error("the ", name(), " parameterization cannot start from a ", to_string(image.shape()),
                " image: it makes ", to_string(image_shape_), " images");
  NS_CHECK(index >= 0 && index * theta_size_ < static_cast<int64_t>(theta_.size()), index);
  const int64_t pixels = image_shape_[1] * image_shape_[2];
  colour_inverse(image_shape_[0], pixels, image.data(), pre_colour_.data());
  analyze(pre_colour_.data(), theta_.data() + index * theta_size_);
  rendered_valid_ = false;
}

}  // namespace neuroscope::vis
