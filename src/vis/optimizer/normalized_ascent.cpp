// Normalized gradient ascent: add each image's gradient scaled to a fixed size, separately for
// each image of the batch. The reference recipe fixes the largest absolute coefficient (1/8);
// DeepDream (the 2015 notebook's make_step) fixes the mean absolute coefficient, so that a few
// large coefficients do not shrink the step everywhere.
#include <algorithm>
#include <cmath>

#include "neuroscope/error.h"
#include "neuroscope/optimizer.h"

namespace neuroscope {
namespace {

enum class Norm { kLargest, kMean };

class NormalizedAscent final : public Optimizer {
 public:
  NormalizedAscent(float step_size, Norm norm) : step_size_(step_size), norm_(norm) {
    if (!(step_size > 0)) throw error("step size must be positive (got ", step_size, ")");
  }
  std::string describe() const override {
    return norm_ == Norm::kLargest
               ? "normalized gradient ascent (max |step| " + std::to_string(step_size_) + ")"
               : "mean-normalized gradient ascent (mean |step| " + std::to_string(step_size_) + ")";
  }
  void reset(size_t parameter_count, int64_t batch) override {
    NS_CHECK(batch > 0 && parameter_count % static_cast<size_t>(batch) == 0);
    block_ = parameter_count / static_cast<size_t>(batch);
  }
  void step(std::span<float> parameters, std::span<const float> gradient) override {
    const auto blocks = static_cast<int64_t>(parameters.size() / block_);
#pragma omp parallel for schedule(static)
    for (int64_t k = 0; k < blocks; ++k) {
      const size_t start = static_cast<size_t>(k) * block_;
      const auto g = gradient.subspan(start, block_);
      const float scale = norm_ == Norm::kLargest ? largest_scale(g) : mean_scale(g);
      if (scale == 0.0f) continue;  // a dead channel: nothing to follow
      float* p = parameters.data() + start;
      for (size_t i = 0; i < block_; ++i) p[i] += scale * g[i];
    }
  }

 private:
  float largest_scale(std::span<const float> g) const {
    // Lane-wise maxima, combined at the end: a single running max is a serial dependency
    // the compiler will not vectorize (max is exact, so the result is the same).
    constexpr size_t kLanes = 16;
    float lanes[kLanes] = {};
    const size_t whole = g.size() / kLanes * kLanes;
    for (size_t i = 0; i < whole; i += kLanes)
      for (size_t l = 0; l < kLanes; ++l) lanes[l] = std::max(lanes[l], std::fabs(g[i + l]));
    float largest = 0.0f;
    for (size_t i = whole; i < g.size(); ++i) largest = std::max(largest, std::fabs(g[i]));
    for (float v : lanes) largest = std::max(largest, v);
    return largest == 0.0f ? 0.0f : step_size_ / largest;
  }
  float mean_scale(std::span<const float> g) const {
    double total = 0;
    for (float v : g) total += std::fabs(v);
    return total == 0 ? 0.0f : static_cast<float>(step_size_ * static_cast<double>(block_) / total);
  }

  float step_size_;
  Norm norm_;
  size_t block_ = 0;
};

}  // namespace

std::unique_ptr<Optimizer> make_normalized_ascent(float step_size) {
  return std::make_unique<NormalizedAscent>(step_size, Norm::kLargest);
}

std::unique_ptr<Optimizer> make_mean_normalized_ascent(float step_size) {
  return std::make_unique<NormalizedAscent>(step_size, Norm::kMean);
}

}  // namespace neuroscope
