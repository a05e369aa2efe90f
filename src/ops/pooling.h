// Shared machinery of the pooling ops (MaxPool, AveragePool and their global forms).
#pragma once

#include <oneapi/dnnl/dnnl.hpp>

#include "ops/op.h"
#include "ops/window.h"

namespace neuroscope::ops {

// The window of a windowed pool (kernel_shape, strides, pads, ceil_mode, dilations).
Window pooling_window(const graph::Node& node, const Shape& input);
// The window of a global pool: the whole spatial extent.
Window global_window(const graph::Node& node, const Shape& input);
Shape pooled_shape(const Shape& input, const Window& window);

// oneDNN pooling forward and backward; max pooling keeps its workspace for the backward.
void compile_pooling(exec::OpContext& ctx, dnnl::algorithm algorithm, const Window& window);
// Our own 2-D max pooling for float32 input in the 8- or 16-channel blocked layout
// (max_pool_blocked.cpp); false, having compiled nothing, for any other case.
bool compile_blocked_max_pool(exec::OpContext& ctx, const Window& window);

}  // namespace neuroscope::ops
