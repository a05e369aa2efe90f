// Output-shape rules of the ops that only reinterpret their input's shape (Reshape, Flatten,
// Squeeze, Unsqueeze). Shared by engine ops (views, no copy) and the reference evaluator.
#pragma once

#include <vector>

#include "graph/graph.h"
#include "neuroscope/tensor.h"

namespace neuroscope::ops {

Shape reshape_rule(const graph::Node& node, const Shape& input, std::vector<int64_t> target);
Shape flatten_rule(const graph::Node& node, const Shape& input);
Shape squeeze_rule(const graph::Node& node, const Shape& input, const std::vector<int64_t>& axes);
Shape unsqueeze_rule(const graph::Node& node, const Shape& input, const std::vector<int64_t>& axes);

}  // namespace neuroscope::ops
