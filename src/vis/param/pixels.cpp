// The reference parameterization: the optimizer moves the pixels directly.
#include <algorithm>

#include "neuroscope/error.h"
#include "neuroscope/param.h"

namespace neuroscope {
namespace {

class PixelParam final : public Parameterization {
 public:
  std::string name() const override { return "pixels"; }

  void initialize(int64_t batch, int64_t channels, int64_t height, int64_t width,
                  ImageRngs& rngs) override {
    image_ = Tensor({batch, channels, height, width});
    for (int64_t b = 0; b < batch; ++b) multiscale_noise(image_, b, rngs[static_cast<size_t>(b)]);
  }
  void start_from(int64_t index, const Tensor& image) override {
    NS_CHECK(image.size() * image_.dim(0) == image_.size(), to_string(image.shape()));
    std::copy(image.values().begin(), image.values().end(), image_.data() + index * image.size());
  }
  std::span<float> parameters() override { return image_.values(); }
  void render(Tensor& images) const override { copy(image_.values(), images.values()); }
  void backward(const Tensor& image_gradient, std::span<float> theta_gradient) const override {
    copy(image_gradient.values(), theta_gradient);
  }
  void project() override {
    float* v = image_.data();
#pragma omp parallel for schedule(static)
    for (int64_t i = 0; i < image_.size(); ++i) v[i] = std::clamp(v[i], 0.0f, 1.0f);
  }

 private:
  // Both cores: a batch of images is megabytes, copied twice a step.
  static void copy(std::span<const float> from, std::span<float> to) {
    NS_CHECK(from.size() == to.size(), "pixels: ", from.size(), " values for ", to.size());
    const auto count = static_cast<int64_t>(from.size());
#pragma omp parallel for schedule(static)
    for (int64_t i = 0; i < count; ++i) to[static_cast<size_t>(i)] = from[static_cast<size_t>(i)];
  }

  Tensor image_;
};

}  // namespace

std::unique_ptr<Parameterization> make_pixel_param() {
  return std::make_unique<PixelParam>();
}

}  // namespace neuroscope
