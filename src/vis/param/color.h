// vis/param/color.h: decorrelated colour and the sigmoid, the last stage shared by the Fourier
// and Laplacian parameterizations (Lucid's to_valid_rgb with decorrelate and sigmoid), and
// the base class of parameterizations of the form image = sigmoid(colour(linear(theta))).
#pragma once

#include <array>
#include <cstdint>
#include <random>
#include <span>
#include <vector>

#include "neuroscope/param.h"
#include "neuroscope/tensor.h"

namespace neuroscope::vis {

// Lucid's colour_correlation_normalized: the square root of ImageNet's colour correlation
// [[0.26,0.09,0.02],[0.27,0.00,-0.05],[0.27,-0.09,0.03]] divided by its largest column norm.
// Row c gives output colour c from the three decorrelated components: rgb = M t.
using ColourMatrix = std::array<std::array<double, 3>, 3>;
const ColourMatrix& colour_matrix();

// For [channels, pixels] planes; channels 3 (RGB: colour matrix, then sigmoid) or 1 (grey:
// sigmoid only).
// decorrelated -> rgb in (0, 1).
void colour_forward(int64_t channels, int64_t pixels, const float* decorrelated, float* rgb);
// Given rgb = colour_forward(t), overwrites decorrelated_grad with d/dt of <rgb_grad, rgb>.
void colour_backward(int64_t channels, int64_t pixels, const float* rgb, const float* rgb_grad,
                     float* decorrelated_grad);
// The decorrelated values whose colour_forward is rgb, after clamping rgb to [1e-3, 1-1e-3]
// (the sigmoid never reaches 0 or 1).
void colour_inverse(int64_t channels, int64_t pixels, const float* rgb, float* decorrelated);

// image = sigmoid(colour(synthesize(theta))) for a linear synthesize(); this class owns theta,
// the random start (normal, sd 0.01, as Lucid), the colour stage and the image-to-theta start.
// render() remembers its images so that backward() after render() with the same theta need not
// synthesize again; any other backward() synthesizes afresh.
class DecorrelatedParam : public Parameterization {
 public:
  void initialize(int64_t batch, int64_t channels, int64_t height, int64_t width,
                  ImageRngs& rngs) final;
  std::span<float> parameters() final { return theta_; }
  void render(Tensor& images) const final;
  void backward(const Tensor& image_gradient, std::span<float> theta_gradient) const final;
  void start_from(int64_t index, const Tensor& image) final;

 protected:
  // Builds the tables for [channels, height, width] images; returns theta's size per image.
  virtual int64_t prepare(int64_t channels, int64_t height, int64_t width) = 0;
  // One image's theta -> its pre-colour image [C, H, W] (overwritten).
  virtual void synthesize(const float* theta, float* image) const = 0;
  // The adjoint of synthesize: image gradient [C, H, W] -> theta gradient (overwritten).
  virtual void synthesize_adjoint(const float* image_grad, float* theta_grad) const = 0;
  // A theta whose synthesize() is `image` [C, H, W].
  virtual void analyze(const float* image, float* theta) = 0;

 private:
  void render_all(float* images) const;

  Shape image_shape_;  // [C, H, W]
  int64_t image_size_ = 0, theta_size_ = 0;
  std::vector<float> theta_;
  mutable std::vector<float> pre_colour_;      // [C, H, W] scratch
  mutable std::vector<float> rendered_;        // the images of the last render
  mutable std::vector<float> rendered_theta_;  // the theta they came from
  mutable bool rendered_valid_ = false;
};

}  // namespace neuroscope::vis
