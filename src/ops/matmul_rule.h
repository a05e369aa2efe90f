// NumPy matmul shape rules, shared by the engine's MatMul and its reference: a 1-D A is a row
// [1, K] and a 1-D B a column [K, 1] (the added dimension is dropped from the result); the batch
// dimensions (all but the last two) broadcast.
#pragma once

#include "graph/graph.h"
#include "neuroscope/tensor.h"

namespace neuroscope::ops {

struct MatMulDims {
  int64_t m = 1, k = 1, n = 1;
  Shape batch;             // broadcast batch dimensions of the result
  Shape a_batch, b_batch;  // each input's batch dimensions, left-padded with 1 to batch's rank
  Shape output;            // the result's ONNX shape
};

MatMulDims matmul_rule(const graph::Node& node, const Shape& a, const Shape& b);

}  // namespace neuroscope::ops
