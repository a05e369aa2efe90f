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

// Output shape = input 0's shape.
std::vector<Shape> infer_same_shape(const ShapeContext& ctx);

// Forward and backward of y = f(x) in whatever layout x arrives in.
void compile_eltwise(exec::OpContext& ctx, const EltwiseAlgorithm& f);

}  // namespace neuroscope::ops
