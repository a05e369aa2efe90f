// Shared machinery of Softmax and LogSoftmax (oneDNN softmax_v2 on a plain [outer, axis, inner]
// view). Before opset 13 the input is coerced to 2-D at `axis`; from 13 one axis is normalized.
#pragma once

#include <oneapi/dnnl/dnnl.hpp>

#include "ops/op.h"

namespace neuroscope::ops {

void compile_softmax(exec::OpContext& ctx, dnnl::algorithm algorithm);
std::vector<Shape> infer_softmax(const ShapeContext& ctx);

}  // namespace neuroscope::ops
