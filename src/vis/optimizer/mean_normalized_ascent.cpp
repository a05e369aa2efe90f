// DeepDream's update (the 2015 notebook's make_step): add the gradient scaled so that its mean
// absolute coefficient is the step size, separately for each image of the batch. Unlike the
// max-normalized reference step, a few large coefficients do not shrink the step everywhere.
#include <cmath>

#include "neuroscope/error.h"
#include "neuroscope/optimizer.h"

namespace neuroscope {
namespace {

class MeanNormalizedAscent final : public Optimizer {
 public:
  explicit MeanNormalizedAscent(float step_size) : step_size_(step_size) {
    if (!(step_size > 0)) throw error("step size must be positive (got ", step_size, ")");
  }
  std::string describe() const override {
    return "mean-normalized gradient ascent (mean |step| " + std::to_string(step_size_) + ")";
  }
  void reset(size_t parameter_count, int64_t batch) override {
    NS_CHECK(batch > 0 && parameter_count % static_cast<size_t>(batch) == 0);
    block_ = parameter_count / static_cast<size_t>(batch);
  }
  void step(std::span<float> parameters, std::span<const float> gradient) override {
    for (size_t start = 0; start < parameters.size(); start += block_) {
      const auto g = gradient.subspan(start, block_);
      double total = 0;
      for (float v : g) total += std::fabs(v);
      if (total == 0) continue;  // nothing to follow
      const auto scale = static_cast<float>(step_size_ * static_cast<double>(block_) / total);
      float* p = parameters.data() + start;
      for (size_t i = 0; i < block_; ++i) p[i] += scale * g[i];
    }
  }

 private:
  float step_size_;
  size_t block_ = 0;
};

}  // namespace

std::unique_ptr<Optimizer> make_mean_normalized_ascent(float step_size) {
  return std::make_unique<MeanNormalizedAscent>(step_size);
}

}  // namespace neuroscope
