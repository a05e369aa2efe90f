// Class terms: the logit or the probability of one class of a classifier output.
#pragma once

#include "vis/objectives/term.h"

namespace neuroscope::vis {

class ClassTerm final : public TensorTerm {
 public:
  enum class Read {
    kElement,         // the tensor's own value (a logit, or a Softmax output)
    kSoftmaxOfLogits  // the softmax of the tensor's values (a model without a Softmax)
  };
  // `name` is "class" or "prob"; `label` names the class in describe() when not empty.
  ClassTerm(std::string tensor, Read read, int64_t index, std::string name, std::string label,
            std::optional<int64_t> batch)
      : TensorTerm(std::move(tensor), batch),
        read_(read),
        index_(index),
        name_(std::move(name)),
        label_(std::move(label)) {}
  std::string describe() const override;  // "class(LABEL)", "prob(3)"
  void check(const Shape& shape) const override;
  void accumulate(const Tensor& act, double weight, std::vector<double>& values,
                  Tensor& grad) const override;

 private:
  Read read_;
  int64_t index_;
  std::string name_, label_;
};

// The class index a class(...) argument names: a label of `labels` (the whole line, or one of its
// comma-separated synonyms, case-insensitive), or, when `may_be_index`, a decimal index. Error
// naming the closest labels when none matches, or the candidates when several do.
int64_t find_class(const std::string& argument, bool may_be_index,
                   const std::vector<std::string>& labels);

}  // namespace neuroscope::vis
