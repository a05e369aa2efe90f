// Our own model IR: what the ONNX loader produces and every pass and the executor consume.
// Nothing here knows about protobuf or oneDNN.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "neuroscope/tensor.h"

namespace neuroscope::graph {

// Element types the IR keeps. Integer and boolean ONNX types are widened to Int64,
// float16/float64 narrowed to Float32: constants only steer shapes and weights.
enum class DType { kFloat32, kInt64 };
const char* dtype_name(DType dtype);

// A constant tensor: an initializer, a Constant node, or a folded value.
struct Constant {
  DType dtype = DType::kFloat32;
  Shape shape;
  std::vector<float> floats;  // when dtype == kFloat32
  std::vector<int64_t> ints;  // when dtype == kInt64

  static Constant of_floats(Shape shape, std::vector<float> values);
  static Constant of_ints(Shape shape, std::vector<int64_t> values);
  int64_t size() const;
  double value(int64_t index) const;            // any dtype, as double
  std::vector<int64_t> as_ints() const;          // any dtype, rounded toward zero
  std::vector<float> as_floats() const;          // any dtype
  Tensor to_tensor() const;                      // float32 copy
};

struct Attribute {
  enum class Kind { kInt, kFloat, kString, kInts, kFloats, kStrings, kTensor, kGraph, kOther };
  Kind kind = Kind::kOther;
  int64_t i = 0;
  float f = 0.0f;
  std::string s;
  std::vector<int64_t> ints;
  std::vector<float> floats;
  std::vector<std::string> strings;
  std::shared_ptr<const Constant> tensor;
};
const char* attribute_kind_name(Attribute::Kind kind);

struct Node {
  std::string name;  // unique within the graph; the loader names unnamed nodes
  std::string op_type;
  std::vector<std::string> inputs;  // "" marks an omitted optional input
  std::vector<std::string> outputs;
  std::map<std::string, Attribute, std::less<>> attributes;

  // "node 'conv1' (Conv)": the prefix of every message about this node.
  std::string describe() const;
  bool has_input(size_t index) const { return index < inputs.size() && !inputs[index].empty(); }
  bool has_attr(std::string_view key) const { return attributes.count(key) > 0; }
  // Typed attribute access: the default when absent, an Error naming the node when mistyped.
  int64_t attr_int(std::string_view key, int64_t fallback) const;
  float attr_float(std::string_view key, float fallback) const;
  std::string attr_string(std::string_view key, std::string fallback) const;
  std::vector<int64_t> attr_ints(std::string_view key, std::vector<int64_t> fallback = {}) const;
  std::vector<float> attr_floats(std::string_view key, std::vector<float> fallback = {}) const;
  const Constant* attr_tensor(std::string_view key) const;
};

// A graph input that is fed at run time (initializers are constants, not inputs).
struct Input {
  std::string name;
  Shape shape;                         // -1 where the model leaves a dimension symbolic
  std::vector<std::string> dim_names;  // the symbolic names ("N", "batch"), "" when fixed
  DType dtype = DType::kFloat32;
};

struct Graph {
  std::string source;  // the file it came from, for messages
  int64_t opset = 0;   // default-domain opset version
  std::vector<Node> nodes;  // topological order
  std::map<std::string, Constant, std::less<>> constants;
  std::vector<Input> inputs;
  std::vector<std::string> outputs;
  std::vector<std::pair<std::string, std::string>> metadata;
  // Names of tensors removed by passes (Identity, Dropout, ...) and the tensor now holding
  // their value, so users can still ask for them by their model name.
  std::map<std::string, std::string, std::less<>> aliases;

  bool is_constant(std::string_view name) const { return constants.count(name) > 0; }
  const Input* find_input(std::string_view name) const;
  // Follows aliases to the tensor that holds a value.
  std::string resolve(std::string_view name) const;
  // Every tensor name: inputs, node outputs, aliases (not constants), in topological order.
  std::vector<std::string> tensor_names() const;
  std::optional<std::string> metadata_value(std::string_view key) const;
};

}  // namespace neuroscope::graph
