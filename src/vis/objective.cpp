#include "neuroscope/objective.h"

#include <algorithm>
#include <cmath>

#include "neuroscope/error.h"
#include "vis/objectives/channel.h"
#include "vis/objectives/class_score.h"
#include "vis/objectives/direction.h"
#include "vis/objectives/diversity.h"
#include "vis/objectives/image.h"
#include "vis/objectives/layer.h"
#include "vis/objectives/neuron.h"

namespace neuroscope {

Objective Objective::channel(std::string tensor, int64_t channel, std::optional<int64_t> batch) {
  return from_term(std::make_shared<vis::ChannelSumOfSquares>(std::move(tensor), channel, batch));
}

Objective Objective::channel_mean(std::string tensor, int64_t channel,
                                  std::optional<int64_t> batch) {
  return from_term(std::make_shared<vis::ChannelMean>(std::move(tensor), channel, batch));
}

Objective Objective::neuron(std::string tensor, int64_t channel,
                            std::optional<std::pair<int64_t, int64_t>> position,
                            std::optional<int64_t> batch) {
  return from_term(std::make_shared<vis::Neuron>(std::move(tensor), channel, position, batch));
}

Objective Objective::layer(std::string tensor, std::optional<int64_t> batch) {
  return from_term(std::make_shared<vis::LayerMeanSquare>(std::move(tensor), batch));
}

Objective Objective::class_score(const ClassifierTensors& tensors, ClassScore score, int64_t index,
                                 std::string label, std::optional<int64_t> batch) {
  if (tensors.logits.empty()) throw error("class objective: the model's logits tensor is unknown");
  const bool from_softmax = score == ClassScore::kProbability && !tensors.probabilities.empty();
  const bool computed_softmax = score == ClassScore::kProbability && !from_softmax;
  return from_term(std::make_shared<vis::ClassTerm>(
      from_softmax ? tensors.probabilities : tensors.logits,
      computed_softmax ? vis::ClassTerm::Read::kSoftmaxOfLogits : vis::ClassTerm::Read::kElement,
      index, score == ClassScore::kProbability ? "prob" : "class", std::move(label), batch));
}

Objective Objective::direction(std::string tensor, std::vector<float> vector, std::string source,
                               std::optional<int64_t> batch) {
  return from_term(std::make_shared<vis::Direction>(std::move(tensor), std::move(vector),
                                                    std::move(source), batch));
}

Objective Objective::diversity(std::string tensor) {
  return from_term(std::make_shared<vis::Diversity>(std::move(tensor)));
}

Objective Objective::total_variation(std::optional<int64_t> batch) {
  return from_term(std::make_shared<vis::TotalVariation>(batch));
}

Objective Objective::l1(double center, std::optional<int64_t> batch) {
  return from_term(std::make_shared<vis::L1>(center, batch));
}

Objective Objective::from_term(std::shared_ptr<const ObjectiveTerm> term, double weight) {
  Objective o;
  o.terms_.push_back({weight, std::move(term)});
  return o;
}

Objective Objective::operator+(const Objective& other) const {
  Objective sum = *this;
  sum.terms_.insert(sum.terms_.end(), other.terms_.begin(), other.terms_.end());
  return sum;
}

Objective Objective::operator-(const Objective& other) const {
  return *this + other * -1.0;
}

Objective Objective::operator*(double factor) const {
  Objective scaled = *this;
  for (Term& t : scaled.terms_) t.weight *= factor;
  return scaled;
}

std::vector<std::string> Objective::tensors() const {
  std::vector<std::string> names;
  for (const Term& t : terms_)
    if (!t.term->reads_image() &&
        std::find(names.begin(), names.end(), t.term->tensor()) == names.end())
      names.push_back(t.term->tensor());
  return names;
}

std::map<std::string, std::vector<int64_t>> Objective::channels_read() const {
  std::map<std::string, std::vector<int64_t>> read;
  std::vector<std::string> whole;
  for (const Term& t : terms_) {
    if (t.term->reads_image()) continue;
    if (const std::optional<int64_t> c = t.term->only_channel())
      read[t.term->tensor()].push_back(*c);
    else
      whole.push_back(t.term->tensor());
  }
  for (const std::string& name : whole) read.erase(name);
  for (auto& [name, channels] : read) {
    std::sort(channels.begin(), channels.end());
    channels.erase(std::unique(channels.begin(), channels.end()), channels.end());
  }
  return read;
}

bool Objective::reads_image() const {
  return std::any_of(terms_.begin(), terms_.end(),
                     [](const Term& t) { return t.term->reads_image(); });
}

std::string Objective::describe() const {
  std::string text;
  for (const Term& t : terms_) {
    if (!text.empty())
      text += t.weight < 0 ? " - " : " + ";
    else if (t.weight < 0)
      text += "-";
    const double w = std::abs(t.weight);
    if (w != 1.0) text += vis::format_number(w) + "*";
    text += t.term->describe();
  }
  return text;
}

BoundObjective::BoundObjective(Objective objective,
                               const std::function<const Tensor&(const std::string&)>& activation,
                               const std::function<Tensor&(const std::string&)>& gradient)
    : objective_(std::move(objective)) {
  if (objective_.empty()) throw error("the objective has no terms");
  int64_t batch = -1;
  for (const Objective::Term& t : objective_.terms()) {
    const Tensor& act = activation(t.term->tensor());
    t.term->check(act.shape());
    Tensor& grad = gradient(t.term->tensor());
    NS_CHECK(grad.shape() == act.shape(), "gradient buffer of ", t.term->tensor());
    activations_.push_back(&act);
    gradients_.push_back(&grad);
    if (std::find(distinct_gradients_.begin(), distinct_gradients_.end(), &grad) ==
        distinct_gradients_.end())
      distinct_gradients_.push_back(&grad);
    const int64_t b = act.rank() > 0 ? act.dim(0) : 1;
    if (batch >= 0 && b != batch)
      throw error("objective tensors disagree on the batch size (", batch, " vs ", b, ")");
    batch = b;
  }
  values_.assign(static_cast<size_t>(batch), 0.0);
  network_values_ = values_;
}

const std::vector<double>& BoundObjective::evaluate(bool seed_silent) {
  std::fill(values_.begin(), values_.end(), 0.0);
  for (Tensor* g : distinct_gradients_) g->fill(0.0f);
  const auto& terms = objective_.terms();
  // Network terms first, so that their values alone decide which images are silent.
  for (size_t i = 0; i < terms.size(); ++i)
    if (!terms[i].term->reads_image())
      terms[i].term->accumulate(*activations_[i], terms[i].weight, values_, *gradients_[i]);
  std::copy(values_.begin(), values_.end(), network_values_.begin());
  for (size_t i = 0; i < terms.size(); ++i)
    if (terms[i].term->reads_image())
      terms[i].term->accumulate(*activations_[i], terms[i].weight, values_, *gradients_[i]);
  if (seed_silent)
    for (size_t b = 0; b < values_.size(); ++b)
      if (network_values_[b] == 0.0)
        for (size_t i = 0; i < terms.size(); ++i)
          terms[i].term->seed(*activations_[i], terms[i].weight, static_cast<int64_t>(b),
                              *gradients_[i]);
  return values_;
}

void ObjectiveTerm::seed(const Tensor&, double, int64_t, Tensor&) const {}

double BoundObjective::total() const {
  double sum = 0;
  for (double v : values_) sum += v;
  return sum;
}

}  // namespace neuroscope
