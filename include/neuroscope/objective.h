// neuroscope/objective.h: what a visualization maximizes, as a scalar function of tensors.
//
//   auto obj = neuroscope::Objective::channel("inception_4d/output", 97);  // the reference
//   auto mix = obj - 0.5 * neuroscope::Objective::channel("inception_4d/output", 12);
//   auto parsed = neuroscope::parse_objective("inception_4d/output:97 - 0.5*inception_4d/output:12");
//
//   BoundObjective bound(mix, lookup);   // binds tensors by name; allocation happens here only
//   const auto& per_image = bound.evaluate();  // values; gradients written into the bound tensors
//
// Objectives are sums of weighted terms (Lucid's objectives compose the same way). A term may
// apply to one image of a batch (`batch`) or to all; values are reported per image.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "neuroscope/tensor.h"

namespace neuroscope {

// One scored quantity of one tensor. Implementations live in src/vis/objectives/.
class ObjectiveTerm {
 public:
  virtual ~ObjectiveTerm() = default;
  virtual const std::string& tensor() const = 0;
  virtual std::string describe() const = 0;
  // Throws Error when the term cannot apply to a tensor of this shape (channel out of range...).
  virtual void check(const Shape& shape) const = 0;
  // Adds weight * term(act) to values[b] for each image b it applies to, and weight *
  // d term / d act into grad (same shape as act). Must not allocate.
  virtual void accumulate(const Tensor& act, double weight, std::vector<double>& values,
                          Tensor& grad) const = 0;
  // For image `image`, on which the objective is exactly zero and flat (a channel that fires
  // nowhere): adds to grad the direction that would wake the term (with ReLU gradients
  // redirected, see Network::redirect_relu_gradients). Default: nothing.
  virtual void seed(const Tensor& act, double weight, int64_t image, Tensor& grad) const;
};

class Objective {
 public:
  Objective() = default;
  // Sum of squared activations of `channel` over positions (and over the batch, or only image
  // `batch`): the reference recipe's "total square activity".
  static Objective channel(std::string tensor, int64_t channel, std::optional<int64_t> batch = {});
  static Objective from_term(std::shared_ptr<const ObjectiveTerm> term, double weight = 1.0);

  Objective operator+(const Objective& other) const;
  Objective operator-(const Objective& other) const;
  Objective operator*(double factor) const;
  friend Objective operator*(double factor, const Objective& o) { return o * factor; }

  struct Term {
    double weight;
    std::shared_ptr<const ObjectiveTerm> term;
  };
  const std::vector<Term>& terms() const { return terms_; }
  bool empty() const { return terms_.empty(); }
  // Distinct tensor names the terms read, in first-use order.
  std::vector<std::string> tensors() const;
  std::string describe() const;

 private:
  std::vector<Term> terms_;
};

// Parses "TENSOR:C", "w*TENSOR:C" and sums/differences of them, e.g.
// "inception_4d/output:97 - 0.5*inception_4d/output:12". Error on malformed text.
Objective parse_objective(std::string_view text);

// An objective bound to concrete tensors: activations to read, gradients to write.
class BoundObjective {
 public:
  // `activation(name)` and `gradient(name)` return the tensors for a name; checked once here.
  BoundObjective(Objective objective, const std::function<const Tensor&(const std::string&)>& activation,
                 const std::function<Tensor&(const std::string&)>& gradient);
  // Evaluates: zeroes and fills the gradients, returns the value per image. No allocation.
  // With `seed_silent`, images whose value is exactly zero get their terms' seed gradients.
  const std::vector<double>& evaluate(bool seed_silent = false);
  double total() const;
  const Objective& objective() const { return objective_; }

 private:
  Objective objective_;
  std::vector<const Tensor*> activations_;  // per term
  std::vector<Tensor*> gradients_;          // per term
  std::vector<Tensor*> distinct_gradients_;
  std::vector<double> values_;
};

}  // namespace neuroscope
