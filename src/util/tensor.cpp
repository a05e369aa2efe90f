#include "neuroscope/tensor.h"

#include <algorithm>
#include <cstdint>
#include <limits>

#include "neuroscope/error.h"

namespace neuroscope {

int64_t element_count(const Shape& shape) {
  int64_t count = 1;
  for (int64_t d : shape) {
    if (d < 0) throw error("negative dimension in shape ", to_string(shape));
    if (d != 0 && count > std::numeric_limits<int64_t>::max() / d)
      throw error("shape ", to_string(shape), " has too many elements");
    count *= d;
  }
  return count;
}

std::string to_string(const Shape& shape) {
  std::string text = "[";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i) text += ",";
    text += shape[i] < 0 ? "?" : std::to_string(shape[i]);
  }
  return text + "]";
}

Tensor::Tensor(Shape shape, float fill)
    : shape_(std::move(shape)), values_(static_cast<size_t>(element_count(shape_)), fill) {}

Tensor::Tensor(Shape shape, std::vector<float> values)
    : shape_(std::move(shape)), values_(std::move(values)) {
  if (static_cast<int64_t>(values_.size()) != element_count(shape_))
    throw error("tensor of shape ", to_string(shape_), " given ", values_.size(), " values");
}

void Tensor::reshape(Shape shape) {
  if (element_count(shape) != size())
    throw error("cannot reshape ", to_string(shape_), " to ", to_string(shape));
  shape_ = std::move(shape);
}

void Tensor::fill(float value) {
  // Objectives clear their gradient buffers every step (12 MB at inception_3b, batch 8): worth
  // both cores once a tensor outgrows the caches.
  constexpr int64_t kParallelFrom = int64_t{1} << 18;
  float* data = values_.data();
  const int64_t n = size();
#pragma omp parallel for schedule(static) if (n >= kParallelFrom)
  for (int64_t i = 0; i < n; ++i) data[i] = value;
}

}  // namespace neuroscope
