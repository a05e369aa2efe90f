// neuroscope/transform.h: random image transformations applied before each forward pass,
// with exact adjoints for the gradient (Lucid's optvis.transform).
//
//   TransformChain chain;
//   chain.add(make_jitter(8, JitterMode::kWrap));
//   chain.prepare({batch, 3, 224, 224});   // buffers allocated once
//   chain.sample(rngs);                    // this step's random choices, one per image
//   const Tensor& seen = chain.forward(images);
//   chain.backward(d_seen, d_images);
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "neuroscope/param.h"
#include "neuroscope/tensor.h"

namespace neuroscope {

class Transform {
 public:
  virtual ~Transform() = default;
  virtual std::string describe() const = 0;
  virtual Shape output_shape(const Shape& input) const { return input; }
  // Draws this step's random parameters for every image (no allocation).
  virtual void sample(ImageRngs& rngs) = 0;
  // in: [N,3,H,W] -> out: [N,3,H',W'] (preallocated to output_shape).
  virtual void forward(const Tensor& in, Tensor& out) const = 0;
  // The adjoint: d_out -> d_in (overwrites d_in).
  virtual void backward(const Tensor& d_out, Tensor& d_in) const = 0;
};

enum class JitterMode {
  kWrap,  // roll the image, wrapping around (the reference recipe)
  kCrop,  // shift and crop: the output is smaller by 2 * amount
};

// A random integer shift in [-amount, amount] on each axis, per image.
std::unique_ptr<Transform> make_jitter(int64_t amount, JitterMode mode);

// An ordered list of transforms with its intermediate buffers.
class TransformChain {
 public:
  void add(std::unique_ptr<Transform> t);
  bool empty() const { return transforms_.empty(); }
  // Allocates the intermediate buffers for an input shape; returns the output shape.
  Shape prepare(const Shape& input);
  void sample(ImageRngs& rngs);
  const Tensor& forward(const Tensor& images);
  void backward(const Tensor& d_output, Tensor& d_images);
  std::string describe() const;

 private:
  std::vector<std::unique_ptr<Transform>> transforms_;
  std::vector<Tensor> values_, grads_;  // values_[k] = output of transform k
};

}  // namespace neuroscope
