// neuroscope/objective.h: what a visualization maximizes, as a scalar function of tensors.
//
//   auto obj = neuroscope::Objective::channel("inception_4d/output", 97);  // the reference
//   auto mix = obj - 0.5 * neuroscope::Objective::channel("inception_4d/output", 12);
//   auto parsed = neuroscope::parse_objective("inception_4d/output:97 -
//   0.5*inception_4d/output:12"); auto lucid = neuroscope::parse_objective("prob(Sneaker) -
//   1e-3*tv",
//                                            neuroscope::ObjectiveContext::for_model(model));
//
//   BoundObjective bound(mix, lookup);   // binds tensors by name; allocation happens here only
//   const auto& per_image = bound.evaluate();  // values; gradients written into the bound tensors
//
// Objectives are sums of weighted terms (Lucid's objectives compose the same way). A term may
// apply to one image of a batch (`batch`) or to all; values are reported per image. Terms read
// network tensors by name, or the rendered image itself through the pseudo-tensor kImageTensor
// (total variation, L1). The command-line syntax is documented in docs/objectives.md.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "neuroscope/tensor.h"

namespace neuroscope {

class Model;

// The name under which image-space terms read the image being rendered: [N,C,H,W] in [0,1], as
// the parameterization renders it, before transformations. Not a network tensor.
inline constexpr std::string_view kImageTensor = "@image";

// One scored quantity of one tensor. Implementations live in src/vis/objectives/.
class ObjectiveTerm {
 public:
  virtual ~ObjectiveTerm() = default;
  virtual const std::string& tensor() const = 0;
  // The term as the parser reads it back (see docs/objectives.md).
  virtual std::string describe() const = 0;
  // Throws Error when the term cannot apply to a tensor of this shape (channel out of range...).
  // Called once when binding; terms that need scratch memory size it here.
  virtual void check(const Shape& shape) const = 0;
  // Adds weight * term(act) to values[b] for each image b it applies to, and weight *
  // d term / d act into grad (same shape as act), the gradient of the sum over images. Must not
  // allocate.
  virtual void accumulate(const Tensor& act, double weight, std::vector<double>& values,
                          Tensor& grad) const = 0;
  // For image `image`, on which the objective is exactly zero and flat (a channel that fires
  // nowhere): adds to grad the direction that would wake the term (with ReLU gradients
  // redirected, see Network::redirect_relu_gradients). Default: nothing.
  virtual void seed(const Tensor& act, double weight, int64_t image, Tensor& grad) const;
  bool reads_image() const { return tensor() == kImageTensor; }
  // The one channel (axis 1) of its tensor the term reads, when it reads only one; empty when it
  // may read any.
  virtual std::optional<int64_t> only_channel() const { return std::nullopt; }
};

// The tensors class objectives read. When the graph ends in a Softmax, `logits` is its input and
// `probabilities` its output; otherwise `logits` is the model's (first) output and
// `probabilities` is empty (probability terms then apply the softmax themselves).
struct ClassifierTensors {
  std::string logits;
  std::string probabilities;
};
ClassifierTensors classifier_tensors(const Model& model);

enum class ClassScore { kLogit, kProbability };

class Objective {
 public:
  Objective() = default;
  // Sum of squared activations of `channel` over positions (and over the batch, or only image
  // `batch`): the reference recipe's "total square activity".
  static Objective channel(std::string tensor, int64_t channel, std::optional<int64_t> batch = {});
  // Mean activation of `channel` over positions.
  static Objective channel_mean(std::string tensor, int64_t channel,
                                std::optional<int64_t> batch = {});
  // The activation of `channel` at one position (y, x) of an [N,C,H,W] tensor; default the
  // centre (H/2, W/2).
  static Objective neuron(std::string tensor, int64_t channel,
                          std::optional<std::pair<int64_t, int64_t>> position = {},
                          std::optional<int64_t> batch = {});
  // DeepDream's objective: the mean of the squared activations over the whole tensor (all
  // channels and positions), per image.
  static Objective layer(std::string tensor, std::optional<int64_t> batch = {});
  // The logit or the probability of class `index`. `label` only names it in describe().
  static Objective class_score(const ClassifierTensors& tensors, ClassScore score, int64_t index,
                               std::string label = {}, std::optional<int64_t> batch = {});
  // Lucid's direction: sum over positions of the dot product of `vector` (one value per
  // channel) with the activations there. `source` (a file name) names it in describe().
  static Objective direction(std::string tensor, std::vector<float> vector, std::string source = {},
                             std::optional<int64_t> batch = {});
  // Lucid's diversity: per image, the Gram matrix of the tensor's channels (over positions),
  // flattened and normalized; value per image = minus its mean cosine similarity with the other
  // images' Gram matrices. Needs a batch of at least 2.
  static Objective diversity(std::string tensor);
  // Image-space terms (kImageTensor). Total variation: sum of absolute differences between
  // vertically and horizontally neighbouring pixel values. L1: sum of |pixel - center|.
  // Usually subtracted: "channel - 1e-3*tv".
  static Objective total_variation(std::optional<int64_t> batch = {});
  static Objective l1(double center = 0.0, std::optional<int64_t> batch = {});

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
  // Distinct network tensor names the terms read, in first-use order (kImageTensor excluded).
  std::vector<std::string> tensors() const;
  // Per network tensor whose terms each read one channel: those channels, sorted (what
  // NetworkOptions::read_channels takes). Tensors some term reads whole are absent.
  std::map<std::string, std::vector<int64_t>> channels_read() const;
  // Whether some term reads the rendered image (kImageTensor).
  bool reads_image() const;
  // Text that parse_objective reads back into the same objective.
  std::string describe() const;

 private:
  std::vector<Term> terms_;
};

// What the parser needs to know about the model behind the names in the text.
struct ObjectiveContext {
  // The name to use for a tensor the text names; throws Error (with suggestions) when unknown.
  // Empty: names are used as written.
  std::function<std::string(std::string_view)> resolve_tensor;
  std::vector<std::string> labels;  // class names by index; empty when the model has none
  ClassifierTensors classifier;     // empty names: class terms are unavailable
  // Tensor names from the model, labels from its labels file (see load_labels).
  static ObjectiveContext for_model(const Model& model);
};

// Parses sums and differences of weighted terms, e.g.
// "inception_4d/output:97 - 0.5*inception_4d/output:12" or "prob(Sneaker) - 1e-3*tv"; the
// syntax is in docs/objectives.md. Error with the position on malformed text, Error naming the
// tensor, label or file that the context does not know.
Objective parse_objective(std::string_view text, const ObjectiveContext& context);
// Without a model: tensor names as written; class(...) and prob(...) need an index and fail.
Objective parse_objective(std::string_view text);
// Checks the syntax only: Error with the position on malformed text, nothing looked up.
void check_objective_syntax(std::string_view text);

// An objective bound to concrete tensors: activations to read, gradients to write.
class BoundObjective {
 public:
  // `activation(name)` and `gradient(name)` return the tensors for a name (also for
  // kImageTensor when the objective reads the image); checked once here.
  BoundObjective(Objective objective,
                 const std::function<const Tensor&(const std::string&)>& activation,
                 const std::function<Tensor&(const std::string&)>& gradient);
  // Evaluates: zeroes and fills the gradients, returns the value per image. No allocation.
  // With `seed_silent`, images whose network terms are exactly zero get their seed gradients.
  const std::vector<double>& evaluate(bool seed_silent = false);
  // Per image, the value of the network terms alone (image-space terms left out), as of the
  // last evaluate().
  const std::vector<double>& network_values() const { return network_values_; }
  double total() const;
  const Objective& objective() const { return objective_; }

 private:
  Objective objective_;
  std::vector<const Tensor*> activations_;  // per term
  std::vector<Tensor*> gradients_;          // per term
  std::vector<Tensor*> distinct_gradients_;
  std::vector<double> values_, network_values_;
};

}  // namespace neuroscope
