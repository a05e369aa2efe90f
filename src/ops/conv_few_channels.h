// The input gradient of a convolution with a few input channels (an image's 1 to 4) as one AVX2
// kernel on the output gradient's 8-channel blocks (conv_few_channels.cpp).
#pragma once

#include "exec/plan.h"
#include "graph/graph.h"
#include "ops/window.h"

namespace neuroscope::ops {

// Compiles dX for a 2-D, ungrouped, undilated float32 convolution with at most 4 input channels
// whose output gradient `diff_dst` is in 8-channel blocks (what oneDNN picks without AVX-512),
// on a CPU with AVX2 and FMA; false, having compiled nothing, otherwise.
bool compile_few_channel_input_gradient(exec::OpContext& ctx, const Window& window,
                                        const graph::Constant& weights,
                                        const dnnl::memory& diff_dst);

}  // namespace neuroscope::ops
