// Max pooling's backward without oneDNN's workspace: oneDNN's training-mode forward that writes
// the argmax workspace costs about 5x its inference-mode forward, so neuroscope runs the
// inference forward and finds each window's maximum again in the backward (the first position
// in window order holding the output value: the same choice oneDNN and PyTorch make).
#pragma once

#include <oneapi/dnnl/dnnl.hpp>

#include "ops/op.h"
#include "ops/window.h"

namespace neuroscope::ops {

// Whether max_pool_backward can walk these layouts (2-D, dense, channel-blocked or plain).
bool max_pool_backward_supported(const dnnl::memory::desc& src, const dnnl::memory::desc& dst);

// Adds the backward step: dx (layout of x) from dy (layout of y), x and y.
void max_pool_backward(exec::OpContext& ctx, const Window& window, const dnnl::memory& x,
                       const dnnl::memory& y, const dnnl::memory& dy, const dnnl::memory& dx);

}  // namespace neuroscope::ops
