// Pad's rules, shared by the engine op and its reference: the pads (attribute before opset 11,
// an input from 11; negative pads crop), the mode, and where each output index reads from.
#pragma once

#include <vector>

#include "graph/graph.h"
#include "neuroscope/tensor.h"

namespace neuroscope::ops {

enum class PadMode { kConstant, kReflect, kEdge };

struct PadSpec {
  PadMode mode = PadMode::kConstant;
  std::vector<int64_t> begin, end;  // per axis
  Shape output;
};

// `pads` is ONNX's [x1_begin, x2_begin, ..., x1_end, x2_end, ...].
PadSpec pad_rule(const graph::Node& node, const Shape& input, const std::vector<int64_t>& pads);

// The input index output index `out` of an axis reads, or -1 for the constant fill.
int64_t pad_source(PadMode mode, int64_t out, int64_t begin, int64_t extent);

}  // namespace neuroscope::ops
