// Shared machinery of the element-wise activations that oneDNN implements (Relu, Sigmoid,
// Tanh, ...): each op's own file states its algorithm and constants.
#pragma once

#include <oneapi/dnnl/dnnl.hpp>

#include "ops/op.h"

namespace neuroscope::ops {

struct EltwiseAlgorithm {
  dnnl::algorithm algorithm;
  float alpha = 0.0f;
  float beta = 0.0f;
  // The algorithm's backward reads the output instead of the input (a *_use_dst_for_bwd one).
  bool backward_from_output = false;
};

// The backward of y = relu(x), read off y: dx = dy where y > 0. For images the plan flags
// (Lucid's redirected ReLU gradient), when that would let none of the image's gradient through,
// dx = dy wherever y > 0 or dy > 0 instead: upward pushes pass as if the ReLU were the identity.
// y, dy and dx share one layout. dx may be dy (in place): then, for float32, the op's output
// consumer may take the plain mask over (OpContext::offer_relu_mask), and when it does this
// step only handles redirected images.
void relu_backward(exec::OpContext& ctx, const dnnl::memory& y, const dnnl::memory& dy,
                   const dnnl::memory& dx);

// Output shape = input 0's shape.
std::vector<Shape> infer_same_shape(const ShapeContext& ctx);

// Forward and backward of y = f(x) in whatever layout x arrives in.
void compile_eltwise(exec::OpContext& ctx, const EltwiseAlgorithm& f);

}  // namespace neuroscope::ops
