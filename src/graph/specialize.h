// Graph passes that run once the input shapes are known (every compile): constant folding
// (shape arithmetic of exported models), shape inference, and the rewrites that depend on which
// tensors the caller wants to read.
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "graph/graph.h"

namespace neuroscope::graph {

// A graph whose every run-time tensor has a known shape.
struct ShapedGraph {
  Graph graph;
  std::map<std::string, Shape, std::less<>> shapes;
  const Shape& shape_of(std::string_view name) const;
};

// Folds every node whose inputs are all constants (and Shape of known shapes) into constants,
// removes pass-through nodes (Identity, Dropout) as aliases, and infers every shape.
// Input shapes missing from `input_shapes` use the model's declared shape. Throws Error naming
// the node that rejects the shapes.
// With `first_error` set, a node that rejects its shapes stops specialization instead of
// throwing: the message goes to *first_error and the result holds the nodes before it.
ShapedGraph specialize(const Graph& graph, const std::map<std::string, Shape>& input_shapes,
                       std::string* first_error = nullptr);

// Keeps only the nodes needed to compute `wanted`. On a model's graph before specialization
// this keeps shape inference from judging layers that are never run (a small input that the
// classifier head would reject is fine for a truncated network).
void truncate(Graph& g, const std::vector<std::string>& wanted);
void truncate(ShapedGraph& g, const std::vector<std::string>& wanted);

// Per tensor, the channels (axis 1) a caller reads; and per tensor, the channel ranges
// [begin, end) that prune_unread_channels left as zeros.
using ChannelsRead = std::map<std::string, std::vector<int64_t>, std::less<>>;
using UnreadChannels = std::map<std::string, std::vector<std::pair<int64_t, int64_t>>, std::less<>>;

// For each channel Concat whose output no layer reads and whose reader wants only the channels
// in `read`: inputs that feed none of them become zero constants, and a Conv feeding some of
// them is cut into copies computing just the 16-channel runs that hold them, so that a
// following truncate() drops the layers no longer read (an inception module's other branches).
// Returns the channel ranges now zero.
UnreadChannels prune_unread_channels(ShapedGraph& g, const ChannelsRead& read);

// Folds BatchNormalization into the preceding Conv when the Conv's output is used by nothing
// else and is not in `keep`.
void fold_batchnorm(ShapedGraph& g, const std::vector<std::string>& keep);

// Fuses element-wise activations into the producing Conv (a oneDNN post-op) when the
// intermediate tensor is used by nothing else and is not in `keep`.
void fuse_activations(ShapedGraph& g, const std::vector<std::string>& keep);

}  // namespace neuroscope::graph
