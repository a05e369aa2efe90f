// Output-shape rules of the data-movement ops (Reshape, Flatten, Squeeze, Unsqueeze, Transpose,
// Split). Shared by the engine ops and the reference evaluator.
#pragma once

#include <vector>

#include "graph/graph.h"
#include "neuroscope/tensor.h"

namespace neuroscope::ops {

Shape reshape_rule(const graph::Node& node, const Shape& input, std::vector<int64_t> target);
Shape flatten_rule(const graph::Node& node, const Shape& input);
Shape squeeze_rule(const graph::Node& node, const Shape& input, const std::vector<int64_t>& axes);
Shape unsqueeze_rule(const graph::Node& node, const Shape& input, const std::vector<int64_t>& axes);
// Transpose's permutation (attribute perm; default: reversed axes), validated.
std::vector<int64_t> transpose_perm(const graph::Node& node, size_t rank);
// Split's axis (attribute, default 0), normalized.
int64_t split_axis(const graph::Node& node, const Shape& input);
// The output shapes of Split into node.outputs.size() parts: `split` sizes along the axis
// (attribute before opset 13, an input from 13), or equal parts when empty.
std::vector<Shape> split_rule(const graph::Node& node, const Shape& input,
                              std::vector<int64_t> split);

// Slice: for every input axis, the first index read and the step (1 on untouched axes).
struct SliceGeometry {
  Shape output;
  std::vector<int64_t> begin, step;
};
// starts/ends/axes/steps as ONNX gives them (axes and steps may be empty: all axes, steps 1);
// out-of-range starts and ends are clamped as the ONNX spec says.
SliceGeometry slice_rule(const graph::Node& node, const Shape& input,
                         const std::vector<int64_t>& starts, const std::vector<int64_t>& ends,
                         std::vector<int64_t> axes, std::vector<int64_t> steps);

}  // namespace neuroscope::ops
