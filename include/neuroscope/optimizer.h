// neuroscope/optimizer.h: how parameters move along the objective's gradient (ascent).
//
//   auto opt = neuroscope::make_normalized_ascent(1.0f / 8);  // the reference recipe
//   auto adam = neuroscope::make_adam(0.05f);                 // Lucid's default
//   auto dd = neuroscope::make_mean_normalized_ascent(1.5f / 255);  // DeepDream
//   auto parsed = neuroscope::parse_optimizer("adam:0.05");
//   opt->reset(theta.size(), batch);
//   opt->step(theta, gradient);                               // theta += update
#pragma once

#include <memory>
#include <span>
#include <string>
#include <string_view>

namespace neuroscope {

class Optimizer {
 public:
  virtual ~Optimizer() = default;
  virtual std::string describe() const = 0;
  // Called once before the first step; `batch` equal blocks of parameters, one per image.
  virtual void reset(size_t parameter_count, int64_t batch) = 0;
  // Gradient ascent step. Must not allocate.
  virtual void step(std::span<float> parameters, std::span<const float> gradient) = 0;
};

// The reference: each image's gradient scaled so its largest absolute value is `step_size`.
std::unique_ptr<Optimizer> make_normalized_ascent(float step_size);
// Adam (Kingma & Ba) with the usual beta1 0.9, beta2 0.999, epsilon 1e-8.
std::unique_ptr<Optimizer> make_adam(float learning_rate);
// DeepDream's step: each image's gradient scaled so its mean absolute value is `step_size`
// (the 2015 notebook's 1.5 on a 0..255 scale is 1.5/255 in [0,1] pixels).
std::unique_ptr<Optimizer> make_mean_normalized_ascent(float step_size);

// The defaults of the named optimizers.
inline constexpr float kReferenceStepSize = 1.0f / 8;    // normalized (max |step|)
inline constexpr float kDeepDreamStepSize = 1.5f / 255;  // mean-normalized (mean |step|)
inline constexpr float kLucidLearningRate = 0.05f;       // adam

// "normalized[:STEP]", "mean-normalized[:STEP]", "adam[:LR]" (defaults above), e.g.
// "normalized:0.125", "adam". Error listing the valid forms for anything else.
std::unique_ptr<Optimizer> parse_optimizer(std::string_view spec);

}  // namespace neuroscope
