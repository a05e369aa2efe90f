#include "neuroscope/error.h"
#include "neuroscope/transform.h"

namespace neuroscope {

void TransformChain::add(std::unique_ptr<Transform> t) { transforms_.push_back(std::move(t)); }

Shape TransformChain::prepare(const Shape& input) {
  values_.clear();
  grads_.clear();
  Shape shape = input;
  for (const auto& t : transforms_) {
    shape = t->output_shape(shape);
    values_.emplace_back(shape);
    grads_.emplace_back(shape);
  }
  return shape;
}

void TransformChain::sample(ImageRngs& rngs) {
  for (const auto& t : transforms_) t->sample(rngs);
}

const Tensor& TransformChain::forward(const Tensor& images) {
  const Tensor* current = &images;
  for (size_t k = 0; k < transforms_.size(); ++k) {
    transforms_[k]->forward(*current, values_[k]);
    current = &values_[k];
  }
  return *current;
}

void TransformChain::backward(const Tensor& d_output, Tensor& d_images) {
  if (transforms_.empty()) {
    std::copy(d_output.values().begin(), d_output.values().end(), d_images.values().begin());
    return;
  }
  const Tensor* current = &d_output;
  for (size_t k = transforms_.size(); k-- > 0;) {
    Tensor& target = k == 0 ? d_images : grads_[k - 1];
    transforms_[k]->backward(*current, target);
    current = &target;
  }
}

std::string TransformChain::describe() const {
  std::string text;
  for (const auto& t : transforms_) text += (text.empty() ? "" : ", ") + t->describe();
  return text.empty() ? "none" : text;
}

}  // namespace neuroscope
