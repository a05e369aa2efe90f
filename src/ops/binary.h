// Shared machinery of the element-wise binary ops with NumPy broadcasting (Add, Sub, Mul, Div,
// and PRelu, whose slope broadcasts into its input). Either input may be a constant or computed
// at run time; each gradient is reduced over the dimensions its input was broadcast along.
//
// Two paths: two run-time inputs of the same shape (ResNet's residual Add) run as oneDNN binary
// primitives in the first input's layout; everything else runs as plain-layout loops.
#pragma once

#include "ops/op.h"

namespace neuroscope::ops {

enum class BinaryOp { kAdd, kSub, kMul, kDiv, kPRelu };

// Output shape: the NumPy broadcast of both input shapes.
std::vector<Shape> infer_broadcast(const ShapeContext& ctx);

// Forward and backward of y = a op b.
void compile_binary(exec::OpContext& ctx, BinaryOp op);

}  // namespace neuroscope::ops
