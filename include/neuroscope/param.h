// neuroscope/param.h: parameterizations, i.e. what the optimizer changes and how it becomes
// a batch of images (Lucid's optvis.param).
//
//   auto param = neuroscope::make_pixel_param();     // the reference: the pixels themselves
//   param->initialize(batch, 3, 224, 224, rngs);     // random start, one generator per image
//   param->render(images);                           // theta -> [N,3,H,W] in [0,1]
//   param->backward(image_gradient, theta_gradient); // exact adjoint of render
#pragma once

#include <memory>
#include <random>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "neuroscope/tensor.h"

namespace neuroscope {

// One random generator per image of a batch: an image comes out the same whether it is
// rendered alone or in a batch.
using ImageRngs = std::vector<std::mt19937_64>;

class Parameterization {
 public:
  virtual ~Parameterization() = default;
  virtual std::string name() const = 0;
  // Allocates theta for `batch` images of [channels, height, width] (3: RGB, 1: grey, for
  // networks that see grey) and draws the random start.
  virtual void initialize(int64_t batch, int64_t channels, int64_t height, int64_t width,
                          ImageRngs& rngs) = 0;
  // theta, image after image (equal blocks): what the optimizer updates.
  virtual std::span<float> parameters() = 0;
  // theta -> images [N,C,H,W] with values in [0,1].
  virtual void render(Tensor& images) const = 0;
  // Overwrites theta_gradient with d(objective)/d(theta) given d(objective)/d(images).
  virtual void backward(const Tensor& image_gradient, std::span<float> theta_gradient) const = 0;
  // Starts image `index` from `image` ([C,H,W] in [0,1], the parameterization's size) instead
  // of noise. Error for parameterizations that cannot.
  virtual void start_from(int64_t index, const Tensor& image);
  // Called after every optimizer step (pixels are clamped to [0,1] here).
  virtual void project() {}
};

// The reference parameterization: theta is the image; the start is noise at all scales.
std::unique_ptr<Parameterization> make_pixel_param();

// Lucid's fft_image (Distill's Feature Visualization, 2017): theta is each channel's real
// spectrum (rfft2 frequencies), scaled by sqrt(HW) / max(f, 1/max(H,W))^decay_power (f in
// cycles per pixel) and inverted to an image, divided by 4, then decorrelated colour (Lucid's
// normalized colour correlation square root; RGB only) and a sigmoid. Random start: normal
// spectrum, sd 0.01. decay_power in [0, 4], else Error.
std::unique_ptr<Parameterization> make_fourier_param(double decay_power = 1.0);

// A Laplacian pyramid (Lucid's laplacian_pyramid_image): the sum of `levels` tensors at full,
// half, quarter, ... resolution (ceil), enlarged bilinearly and level n weighted 2^-n, then the
// same colour stage as Fourier. Random start: normal, sd 0.01. levels in [1, 16], else Error.
std::unique_ptr<Parameterization> make_laplacian_param(int levels = 4);

// By name: "pixels", "fourier", "fourier:DECAY", "laplacian", "laplacian:LEVELS". Error naming
// the spec and the valid names otherwise.
std::unique_ptr<Parameterization> make_param(std::string_view spec);

// Noise with randomness at all scales: uniform noise drawn at 1x1, 2x2, 4x4, ... up to the
// image size, each enlarged (bilinear) to full size and summed, then scaled to [0,1].
// Writes image `index` of `images` [N,C,H,W].
void multiscale_noise(Tensor& images, int64_t index, std::mt19937_64& rng);

}  // namespace neuroscope
