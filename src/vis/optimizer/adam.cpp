// Adam on the ascent direction, as Lucid's default optimizer (learning rate 0.05).
#include <cmath>
#include <vector>

#include "neuroscope/error.h"
#include "neuroscope/optimizer.h"

namespace neuroscope {
namespace {

class Adam final : public Optimizer {
 public:
  explicit Adam(float learning_rate) : rate_(learning_rate) {
    if (!(learning_rate > 0)) throw error("learning rate must be positive (got ", learning_rate, ")");
  }
  std::string describe() const override { return "Adam (learning rate " + std::to_string(rate_) + ")"; }
  void reset(size_t parameter_count, int64_t) override {
    m_.assign(parameter_count, 0.0f);
    v_.assign(parameter_count, 0.0f);
    t_ = 0;
  }
  void step(std::span<float> parameters, std::span<const float> gradient) override {
    ++t_;
    const double c1 = 1.0 - std::pow(kBeta1, t_), c2 = 1.0 - std::pow(kBeta2, t_);
    const auto alpha = static_cast<float>(rate_ * std::sqrt(c2) / c1);
    for (size_t i = 0; i < parameters.size(); ++i) {
      m_[i] = kBeta1 * m_[i] + (1 - kBeta1) * gradient[i];
      v_[i] = kBeta2 * v_[i] + (1 - kBeta2) * gradient[i] * gradient[i];
      parameters[i] += alpha * m_[i] / (std::sqrt(v_[i]) + kEpsilon);
    }
  }

 private:
  static constexpr float kBeta1 = 0.9f, kBeta2 = 0.999f, kEpsilon = 1e-8f;
  float rate_;
  std::vector<float> m_, v_;
  int t_ = 0;
};

}  // namespace

std::unique_ptr<Optimizer> make_adam(float learning_rate) { return std::make_unique<Adam>(learning_rate); }

}  // namespace neuroscope
