// Shared machinery of Softmax and LogSoftmax (oneDNN softmax_v2 on a plain [outer, axis, inner]
// view). Before opset 13 the input is coerced to 2-D at `axis`; from 13 one axis is normalized.
#pragma once

#include <oneapi/dnnl/dnnl.hpp>

#include "ops/op.h"

namespace neuroscope::ops {

// The input seen as [outer, along, inner], normalized over `along`; validates the axis. Shared
// with the reference implementation.
struct SoftmaxExtent {
  int64_t outer = 1, along = 1, inner = 1;
};
SoftmaxExtent softmax_extent(const graph::Node& node, int64_t opset, const Shape& shape);

void compile_softmax(exec::OpContext& ctx, dnnl::algorithm algorithm);
std::vector<Shape> infer_softmax(const ShapeContext& ctx);

}  // namespace neuroscope::ops
