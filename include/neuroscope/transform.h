// neuroscope/transform.h: random image transformations applied before each forward pass,
// with exact adjoints for the gradient (Lucid's optvis.transform).
//
//   TransformChain chain = parse_transforms("lucid");  // or chain.add(make_pad(12, 0.5f)) ...
//   chain.prepare({batch, 3, 224, 224});   // buffers allocated once; returns [batch,3,236,236]
//   chain.sample(rngs);                    // this step's random choices, one per image
//   const Tensor& seen = chain.forward(images);
//   chain.backward(d_seen, d_images);
//
// Every transform has a fixed output shape (the network is compiled for one input shape), so
// a random scale or rotation keeps the image size and samples outside the source as 0.5 grey.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "neuroscope/param.h"
#include "neuroscope/tensor.h"

namespace neuroscope {

class Transform {
 public:
  virtual ~Transform() = default;
  virtual std::string describe() const = 0;
  virtual Shape output_shape(const Shape& input) const { return input; }
  // Draws this step's random parameters for every image, one generator per image so that an
  // image is transformed the same alone or in a batch (no allocation after the first step).
  virtual void sample(ImageRngs& rngs) = 0;
  // in: [N,C,H,W] -> out: [N,C,H',W'] (preallocated to output_shape).
  virtual void forward(const Tensor& in, Tensor& out) const = 0;
  // The adjoint of forward's linear part: d_out -> d_in (overwrites d_in).
  virtual void backward(const Tensor& d_out, Tensor& d_in) const = 0;
};

// Constant padding by `amount` pixels on all four sides (Lucid's pad(w, mode="constant")):
// [N,C,H,W] -> [N,C,H+2*amount,W+2*amount]. Its adjoint is the crop.
std::unique_ptr<Transform> make_pad(int64_t amount, float value);

enum class JitterMode {
  kWrap,  // roll by a random shift in [-amount, amount], wrapping around (the reference)
  kCrop,  // Lucid's jitter: a random crop to [H-amount, W-amount], offsets in [0, amount]
};

// A random integer shift per image and axis; see JitterMode.
std::unique_ptr<Transform> make_jitter(int64_t amount, JitterMode mode);

// Scales each image about its centre by a factor drawn per image from `factors` (all > 0; a
// factor may repeat to weigh more), bilinear, keeping the size: >1 zooms in, <1 shrinks the
// image onto grey. Lucid: factors 0.90, 0.92, ..., 1.10.
std::unique_ptr<Transform> make_random_scale(std::vector<double> factors);

// Rotates each image about its centre by an angle in degrees drawn per image from `degrees`
// (positive: counter-clockwise as displayed), bilinear, keeping the size; the corners the
// source does not cover are grey. Lucid: -10..10 and five more 0s.
std::unique_ptr<Transform> make_random_rotate(std::vector<double> degrees);

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

// A chain from comma-separated items, applied left to right:
//   pad:N[:VALUE]           constant padding (VALUE defaults to 0.5)
//   jitter:N                Lucid's jitter: random crop, N pixels smaller
//   roll:N                  random roll by -N..N with wrap-around (the reference recipe)
//   scale:MIN:MAX:STEP      random scale from MIN, MIN+STEP, ... up to MAX
//   scale:F1/F2/...         random scale from a list
//   rotate:MAXDEG           random rotation by an integer angle in -MAXDEG..MAXDEG degrees
//   rotate:A/B/...          random rotation from a list of angles in degrees
//   none                    nothing
//   reference               roll:8
//   lucid                   Lucid's standard_transforms: pad:12:0.5, jitter:8,
//                           scale:0.9:1.1:0.02, rotate -10..10 (0 weighted 6x), jitter:4
// Throws Error naming the bad item and listing the valid forms.
TransformChain parse_transforms(std::string_view spec);

}  // namespace neuroscope
