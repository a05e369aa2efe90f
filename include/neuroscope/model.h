// neuroscope/model.h: a loaded ONNX image classifier and what is inside it.
//
//   auto model = neuroscope::Model::load("googlenet.onnx");
//   for (const auto& t : model.tensors()) std::cout << t.name << " " << to_string(t.shape) << "\n";
//   model.resolve_tensor("inception_4d/output");   // Error with suggestions if misspelt
//
// Loading checks every node once: a model with unsupported operators fails with one message
// that names every unsupported node and its op type.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "neuroscope/tensor.h"

namespace neuroscope {

namespace graph {
struct Graph;
}

struct ModelInput {
  std::string name;
  Shape shape;                         // -1 for symbolic dimensions
  std::vector<std::string> dim_names;  // their names ("N", "batch"); "" for fixed ones
  bool is_float = true;
};

// A tensor computed at run time (an activation), as listed by `neuroscope layers`.
struct TensorInfo {
  std::string name;  // ONNX value name: what every command calls a layer
  std::string op;    // op type of the node producing it ("Input" for graph inputs)
  std::string node;  // name of that node
  Shape shape;
  bool shape_known = true;  // false past a node that rejected the input shapes
  // Channel count: dimension 1 of [N, C, ...] tensors, the last dimension otherwise.
  int64_t channels() const;
};

class Model {
 public:
  // Throws Error for unreadable, corrupt or unsupported models.
  static Model load(const std::filesystem::path& path);

  const std::filesystem::path& path() const { return path_; }
  int64_t opset() const;
  std::vector<ModelInput> inputs() const;
  std::vector<std::string> outputs() const;
  const std::vector<std::pair<std::string, std::string>>& metadata() const;
  std::optional<std::string> metadata_value(std::string_view key) const;

  // The shape of input `name` (default: the first) used when none is given: declared dims, a
  // symbolic batch becomes 1 and symbolic spatial dims become metadata default_size (or 224).
  Shape default_input_shape(std::string_view name = {}) const;
  // Every run-time tensor in topological order with its shape for the given input shapes
  // (missing inputs: default_input_shape). When a node rejects the shapes (an input too small
  // for the classifier head, say), Error is thrown, or, with `shape_error` given, the message is
  // stored there and the tensors from that node on are listed with shape_known false.
  std::vector<TensorInfo> tensors(const std::map<std::string, Shape>& input_shapes = {},
                                  std::string* shape_error = nullptr) const;
  // The shape of one tensor, computing only the layers it depends on.
  Shape tensor_shape(std::string_view name,
                     const std::map<std::string, Shape>& input_shapes = {}) const;
  // The tensor's canonical name; Error naming the closest tensor names when it does not exist.
  std::string resolve_tensor(std::string_view name) const;

  const graph::Graph& graph() const { return *graph_; }
  // A model made from an IR graph built in code (tests, tools); `graph.source` names it.
  static Model from_graph(graph::Graph graph);

 private:
  Model(std::filesystem::path path, std::shared_ptr<const graph::Graph> graph);
  std::map<std::string, Shape> complete_shapes(const std::map<std::string, Shape>& given) const;
  std::filesystem::path path_;
  std::shared_ptr<const graph::Graph> graph_;
};

}  // namespace neuroscope
