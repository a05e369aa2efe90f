// neuroscope/tensor.h: shapes and dense float32 tensors, the currency of the public API.
//
//   neuroscope::Tensor image({1, 3, 224, 224});   // zero-filled, NCHW, row-major
//   image.data()[0] = 0.5f;
//   std::cout << neuroscope::to_string(image.shape());   // [1,3,224,224]
//
// Public tensors are always plain row-major (C order); images are NCHW. Engine-internal
// layouts (blocked, channels-last) never leave the library.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace neuroscope {

using Shape = std::vector<int64_t>;

// Number of elements of a shape (1 for a scalar); throws Error if it overflows int64.
int64_t element_count(const Shape& shape);

// "[1,3,224,224]"
std::string to_string(const Shape& shape);

// A dense float32 tensor that owns its storage.
class Tensor {
 public:
  Tensor() = default;
  explicit Tensor(Shape shape, float fill = 0.0f);
  Tensor(Shape shape, std::vector<float> values);  // values.size() must equal element_count

  const Shape& shape() const { return shape_; }
  int rank() const { return static_cast<int>(shape_.size()); }
  int64_t dim(int axis) const { return shape_.at(static_cast<size_t>(axis)); }
  int64_t size() const { return static_cast<int64_t>(values_.size()); }
  bool empty() const { return values_.empty(); }

  float* data() { return values_.data(); }
  const float* data() const { return values_.data(); }
  std::span<float> values() { return values_; }
  std::span<const float> values() const { return values_; }
  float& operator[](int64_t i) { return values_[static_cast<size_t>(i)]; }
  float operator[](int64_t i) const { return values_[static_cast<size_t>(i)]; }

  // Same data, new shape with the same element count.
  void reshape(Shape shape);
  void fill(float value);

 private:
  Shape shape_;
  std::vector<float> values_;
};

}  // namespace neuroscope
