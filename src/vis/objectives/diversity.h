// Diversity term (Lucid's diversity): pushes the images of a batch apart in "style", the Gram
// matrices of a tensor's channels.
#pragma once

#include "vis/objectives/term.h"

namespace neuroscope::vis {

// Per image b: G_b = the [C,C] Gram matrix of the channels over positions, g_b = G_b / |G_b|
// (Frobenius); value_b = -mean over j != b of <g_b, g_j>. The gradient is that of the sum over
// images. Scratch memory (N+2 Gram matrices) is sized in check().
class Diversity final : public TensorTerm {
 public:
  explicit Diversity(std::string tensor) : TensorTerm(std::move(tensor), std::nullopt) {}
  std::string describe() const override;  // "diversity(T)"
  void check(const Shape& shape) const override;
  void accumulate(const Tensor& act, double weight, std::vector<double>& values,
                  Tensor& grad) const override;

 private:
  // Writes g_b into grams_[b] and |G_b| into norms_[b].
  void normalized_gram(const float* a, int64_t channels, int64_t n, int64_t image) const;
  // Adds 2 * upstream * A (the gradient of <upstream, A A^T> for symmetric upstream) to g.
  void add_gram_gradient(const float* a, int64_t channels, int64_t n, float* g) const;

  mutable std::vector<double> grams_, norms_, sum_, upstream_, row_;
  mutable std::vector<float> transposed_;
};

}  // namespace neuroscope::vis
