// The operator interface. One file per operator in src/ops/ defines an OpSpec: shape inference,
// and a compile function that builds its forward and backward-to-input steps on an OpContext.
// Registering an op is one line in src/ops/registry.cpp.
#pragma once

#include <span>
#include <string_view>
#include <vector>

#include "graph/graph.h"
#include "neuroscope/tensor.h"

namespace neuroscope::exec {
class OpContext;
}

namespace neuroscope::ops {

// What shape inference sees of a node: its input shapes and those inputs that are constants.
class ShapeContext {
 public:
  ShapeContext(const graph::Node& node, const graph::Graph& graph, std::vector<Shape> input_shapes)
      : node_(node), graph_(graph), input_shapes_(std::move(input_shapes)) {}

  const graph::Node& node() const { return node_; }
  int64_t opset() const { return graph_.opset; }
  size_t num_inputs() const { return node_.inputs.size(); }
  bool has_input(size_t i) const { return node_.has_input(i); }
  const Shape& input_shape(size_t i) const;
  // The constant feeding input i, or nullptr when it is computed at run time.
  const graph::Constant* constant(size_t i) const;
  // The constant feeding input i; an Error naming the node when it is not constant.
  const graph::Constant& require_constant(size_t i, std::string_view role) const;
  // Validates rank; an Error naming the node and the tensor otherwise.
  void expect_rank(size_t i, size_t min_rank, size_t max_rank) const;

 private:
  const graph::Node& node_;
  const graph::Graph& graph_;
  std::vector<Shape> input_shapes_;
};

using InferFn = std::vector<Shape> (*)(const ShapeContext&);
using CompileFn = void (*)(exec::OpContext&);

struct OpSpec {
  std::string_view type;
  InferFn infer;
  CompileFn compile;
};

// nullptr for ops the engine cannot run (they may still be constant-folded).
const OpSpec* find_op(std::string_view type);
std::span<const OpSpec* const> all_ops();

// Ops that are removed by passes before execution (Identity, Dropout).
bool is_passthrough(std::string_view type);

// Helpers shared by several ops' shape rules.
int64_t normalize_axis(const graph::Node& node, int64_t axis, int64_t rank);
// NumPy broadcasting of two shapes; an Error naming the node when incompatible.
Shape broadcast_shapes(const graph::Node& node, const Shape& a, const Shape& b);

}  // namespace neuroscope::ops
