#include "graph/graph.h"

#include <cmath>
#include <limits>

#include "neuroscope/error.h"

namespace neuroscope::graph {

const char* dtype_name(DType dtype) { return dtype == DType::kFloat32 ? "float32" : "int64"; }

Constant Constant::of_floats(Shape shape, std::vector<float> values) {
  NS_CHECK(element_count(shape) == static_cast<int64_t>(values.size()));
  Constant c;
  c.dtype = DType::kFloat32;
  c.shape = std::move(shape);
  c.floats = std::move(values);
  return c;
}

Constant Constant::of_ints(Shape shape, std::vector<int64_t> values) {
  NS_CHECK(element_count(shape) == static_cast<int64_t>(values.size()));
  Constant c;
  c.dtype = DType::kInt64;
  c.shape = std::move(shape);
  c.ints = std::move(values);
  return c;
}

int64_t Constant::size() const {
  return static_cast<int64_t>(dtype == DType::kFloat32 ? floats.size() : ints.size());
}

double Constant::value(int64_t index) const {
  auto i = static_cast<size_t>(index);
  return dtype == DType::kFloat32 ? static_cast<double>(floats.at(i))
                                  : static_cast<double>(ints.at(i));
}

std::vector<int64_t> Constant::as_ints() const {
  if (dtype == DType::kInt64) return ints;
  std::vector<int64_t> out;
  out.reserve(floats.size());
  for (float v : floats) {
    if (!std::isfinite(v) || std::fabs(v) > 9.0e18f)
      throw error("value ", v, " cannot be used as an integer");
    out.push_back(static_cast<int64_t>(v));
  }
  return out;
}

std::vector<float> Constant::as_floats() const {
  if (dtype == DType::kFloat32) return floats;
  return std::vector<float>(ints.begin(), ints.end());
}

Tensor Constant::to_tensor() const { return Tensor(shape, as_floats()); }

const char* attribute_kind_name(Attribute::Kind kind) {
  switch (kind) {
    case Attribute::Kind::kInt: return "int";
    case Attribute::Kind::kFloat: return "float";
    case Attribute::Kind::kString: return "string";
    case Attribute::Kind::kInts: return "ints";
    case Attribute::Kind::kFloats: return "floats";
    case Attribute::Kind::kStrings: return "strings";
    case Attribute::Kind::kTensor: return "tensor";
    case Attribute::Kind::kGraph: return "graph";
    case Attribute::Kind::kOther: return "other";
  }
  return "?";
}

std::string Node::describe() const { return "node '" + name + "' (" + op_type + ")"; }

namespace {
const Attribute* find_typed(const Node& node, std::string_view key, Attribute::Kind kind) {
  auto it = node.attributes.find(key);
  if (it == node.attributes.end()) return nullptr;
  if (it->second.kind != kind)
    throw error(node.describe(), ": attribute '", key, "' is of type ",
                attribute_kind_name(it->second.kind), ", expected ", attribute_kind_name(kind));
  return &it->second;
}
}  // namespace

int64_t Node::attr_int(std::string_view key, int64_t fallback) const {
  const Attribute* a = find_typed(*this, key, Attribute::Kind::kInt);
  return a ? a->i : fallback;
}

float Node::attr_float(std::string_view key, float fallback) const {
  const Attribute* a = find_typed(*this, key, Attribute::Kind::kFloat);
  return a ? a->f : fallback;
}

std::string Node::attr_string(std::string_view key, std::string fallback) const {
  const Attribute* a = find_typed(*this, key, Attribute::Kind::kString);
  return a ? a->s : fallback;
}

std::vector<int64_t> Node::attr_ints(std::string_view key, std::vector<int64_t> fallback) const {
  const Attribute* a = find_typed(*this, key, Attribute::Kind::kInts);
  return a ? a->ints : fallback;
}

std::vector<float> Node::attr_floats(std::string_view key, std::vector<float> fallback) const {
  const Attribute* a = find_typed(*this, key, Attribute::Kind::kFloats);
  return a ? a->floats : fallback;
}

const Constant* Node::attr_tensor(std::string_view key) const {
  const Attribute* a = find_typed(*this, key, Attribute::Kind::kTensor);
  return a ? a->tensor.get() : nullptr;
}

const Input* Graph::find_input(std::string_view name) const {
  for (const Input& in : inputs)
    if (in.name == name) return &in;
  return nullptr;
}

std::string Graph::resolve(std::string_view name) const {
  std::string current(name);
  for (size_t hops = 0; hops <= aliases.size(); ++hops) {
    auto it = aliases.find(current);
    if (it == aliases.end()) return current;
    current = it->second;
  }
  throw InternalError("alias cycle at tensor '" + std::string(name) + "'");
}

std::vector<std::string> Graph::tensor_names() const {
  std::vector<std::string> names;
  for (const Input& in : inputs) names.push_back(in.name);
  for (const Node& node : nodes)
    for (const std::string& out : node.outputs)
      if (!out.empty()) names.push_back(out);
  for (const auto& [alias, target] : aliases) names.push_back(alias);
  return names;
}

std::optional<std::string> Graph::metadata_value(std::string_view key) const {
  for (const auto& [k, v] : metadata)
    if (k == key) return v;
  return std::nullopt;
}

}  // namespace neuroscope::graph
