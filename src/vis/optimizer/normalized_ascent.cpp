// The reference recipe's update: add the gradient normalized so that its largest absolute
// coefficient is the step size, separately for each image of the batch.
#include <algorithm>
#include <cmath>

#include "neuroscope/error.h"
#include "neuroscope/optimizer.h"

namespace neuroscope {
namespace {

class NormalizedAscent final : public Optimizer {
 public:
  explicit NormalizedAscent(float step_size) : step_size_(step_size) {
    if (!(step_size > 0)) throw error("step size must be positive (got ", step_size, ")");
  }
  std::string describe() const override {
    return "normalized gradient ascent (max |step| " + std::to_string(step_size_) + ")";
  }
  void reset(size_t parameter_count, int64_t batch) override {
    NS_CHECK(batch > 0 && parameter_count % static_cast<size_t>(batch) == 0);
    block_ = parameter_count / static_cast<size_t>(batch);
  }
  void step(std::span<float> parameters, std::span<const float> gradient) override {
    for (size_t start = 0; start < parameters.size(); start += block_) {
      const auto g = gradient.subspan(start, block_);
      float largest = 0.0f;
      for (float v : g) largest = std::max(largest, std::fabs(v));
      if (largest == 0.0f) continue;  // a dead channel: nothing to follow
      const float scale = step_size_ / largest;
      float* p = parameters.data() + start;
      for (size_t i = 0; i < block_; ++i) p[i] += scale * g[i];
    }
  }

 private:
  float step_size_;
  size_t block_ = 0;
};

}  // namespace

std::unique_ptr<Optimizer> make_normalized_ascent(float step_size) {
  return std::make_unique<NormalizedAscent>(step_size);
}

}  // namespace neuroscope
