// ReduceMean's shape rule, shared by the engine op and its reference: the axes (attribute until
// opset 17, an optional input from 18; none means all), and keepdims.
#pragma once

#include <vector>

#include "graph/graph.h"
#include "neuroscope/tensor.h"

namespace neuroscope::ops {

struct Reduction {
  std::vector<bool> reduced;  // per input axis
  Shape kept;                 // the input's shape with reduced axes set to 1
  Shape output;               // `kept`, or without the reduced axes when keepdims = 0
  int64_t count = 1;          // elements averaged into each output
};

Reduction reduce_rule(const graph::Node& node, const Shape& input,
                      const std::vector<int64_t>& axes);

}  // namespace neuroscope::ops
