// Sliding-window geometry shared by Conv and the pooling ops: ONNX attributes (kernel_shape,
// strides, dilations, pads, auto_pad, ceil_mode) resolved against an input shape.
#pragma once

#include <vector>

#include "graph/graph.h"
#include "neuroscope/tensor.h"

namespace neuroscope::ops {

struct Window {
  std::vector<int64_t> kernel, strides, dilations;
  std::vector<int64_t> pad_begin, pad_end;  // as ONNX means them
  std::vector<int64_t> output;              // spatial output size
  // Extra end padding so that oneDNN, which has no ceil mode, produces `output` windows.
  std::vector<int64_t> pad_end_effective;
};

// `input` is [N, C, spatial...]; `kernel` the spatial kernel (from weights or kernel_shape).
Window resolve_window(const graph::Node& node, const Shape& input, std::vector<int64_t> kernel,
                      bool allow_ceil_mode);

}  // namespace neuroscope::ops
