// Naive float64 evaluation of single nodes. Two users: constant folding of the shape arithmetic
// that exported models compute at run time, and tests, where these loops are the oracle that
// the oneDNN-backed engine ops are checked against (values and finite-difference gradients).
// Clarity over speed: plain loops over row-major data.
#pragma once

#include <string_view>
#include <vector>

#include "graph/graph.h"

namespace neuroscope::ref {

struct RefTensor {
  graph::DType dtype = graph::DType::kFloat32;
  Shape shape;
  std::vector<double> v;  // row-major

  RefTensor() = default;
  RefTensor(Shape s, graph::DType t = graph::DType::kFloat32);
  RefTensor(Shape s, std::vector<double> values, graph::DType t = graph::DType::kFloat32);
  int64_t size() const { return static_cast<int64_t>(v.size()); }
  int rank() const { return static_cast<int>(shape.size()); }
};

RefTensor from_constant(const graph::Constant& c);
graph::Constant to_constant(const RefTensor& t);
RefTensor from_tensor(const Tensor& t);
Tensor to_tensor(const RefTensor& t);

// Omitted optional inputs are nullptr.
using RefInputs = std::vector<const RefTensor*>;
using RefFn = std::vector<RefTensor> (*)(const graph::Node& node, int64_t opset,
                                         const RefInputs& inputs);

// nullptr when there is no reference implementation of the op.
RefFn find(std::string_view op_type);

// Evaluates one node; throws Error naming the node for invalid attributes or shapes.
std::vector<RefTensor> evaluate(const graph::Node& node, int64_t opset, const RefInputs& inputs);

// ---- helpers for implementations ----
std::vector<int64_t> strides_of(const Shape& shape);
// Broadcast shape of several shapes (NumPy rules); Error naming the node when incompatible.
Shape broadcast(const graph::Node& node, const std::vector<Shape>& shapes);
// Index into `src_shape` (right-aligned, size-1 dims broadcast) for a flat index of `out_shape`.
int64_t broadcast_index(int64_t flat, const Shape& out_shape, const Shape& src_shape);
const RefTensor& need(const graph::Node& node, const RefInputs& inputs, size_t i);
int64_t axis_of(const graph::Node& node, int64_t axis, int64_t rank);
// Integer list from a constant-like input (axes, shapes, pads).
std::vector<int64_t> ints_of(const RefTensor& t);

}  // namespace neuroscope::ref
