#include "onnx/onnx_loader.h"

#include <onnx/onnx_pb.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <limits>
#include <map>
#include <set>
#include <unordered_map>

#include "neuroscope/error.h"

namespace neuroscope::onnx_io {
namespace {

using graph::Attribute;
using graph::Constant;
using graph::DType;

constexpr int64_t kMinOpset = 7;
constexpr int64_t kMaxOpset = 17;
// 2^32 elements (16 GiB of float32): far beyond any image classifier; larger is corruption.
constexpr int64_t kMaxElements = int64_t{1} << 32;

std::string read_file(const std::filesystem::path& path, const std::string& what) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) throw error(what, " '", path.string(), "' does not exist");
  if (std::filesystem::is_directory(path, ec))
    throw error(what, " '", path.string(), "' is a directory, not a file");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw error("cannot open ", what, " '", path.string(), "'");
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) throw error("cannot read ", what, " '", path.string(), "'");
  return bytes;
}

class TensorReader {
 public:
  TensorReader(std::string context, std::filesystem::path base_dir)
      : context_(std::move(context)), base_dir_(std::move(base_dir)) {}

  Constant read(const onnx::TensorProto& t) const {
    const std::string name = t.name().empty() ? "<unnamed>" : t.name();
    Shape shape(t.dims().begin(), t.dims().end());
    for (int64_t d : shape)
      if (d < 0) throw error(context_, ": tensor '", name, "' has negative dimension in ", to_string(shape));
    int64_t count = 0;
    try {
      count = element_count(shape);
    } catch (const Error&) {
      throw error(context_, ": tensor '", name, "' declares absurd size ", to_string(shape));
    }
    if (count > kMaxElements)
      throw error(context_, ": tensor '", name, "' declares absurd size ", to_string(shape), " (",
                  count, " elements)");
    if (t.has_segment()) throw error(context_, ": tensor '", name, "' uses segments (unsupported)");

    std::string external;
    const std::string* raw = t.has_raw_data() ? &t.raw_data() : nullptr;
    if (t.data_location() == onnx::TensorProto::EXTERNAL) {
      external = read_external(t, name);
      raw = &external;
    }
    switch (t.data_type()) {
      case onnx::TensorProto::FLOAT:
        return Constant::of_floats(shape, raw ? from_raw<float, float>(*raw, count, name)
                                              : typed(t.float_data(), count, name, float{}));
      case onnx::TensorProto::DOUBLE:
        return Constant::of_floats(shape, raw ? from_raw<double, float>(*raw, count, name)
                                              : typed(t.double_data(), count, name, float{}));
      case onnx::TensorProto::FLOAT16:
        return Constant::of_floats(shape, half_to_float(raw, t, count, name));
      case onnx::TensorProto::INT64:
        return Constant::of_ints(shape, raw ? from_raw<int64_t, int64_t>(*raw, count, name)
                                            : typed(t.int64_data(), count, name, int64_t{}));
      case onnx::TensorProto::INT32:
        return Constant::of_ints(shape, raw ? from_raw<int32_t, int64_t>(*raw, count, name)
                                            : typed(t.int32_data(), count, name, int64_t{}));
      case onnx::TensorProto::INT16:
        return Constant::of_ints(shape, raw ? from_raw<int16_t, int64_t>(*raw, count, name)
                                            : typed(t.int32_data(), count, name, int64_t{}));
      case onnx::TensorProto::INT8:
        return Constant::of_ints(shape, raw ? from_raw<int8_t, int64_t>(*raw, count, name)
                                            : typed(t.int32_data(), count, name, int64_t{}));
      case onnx::TensorProto::UINT8:
        return Constant::of_ints(shape, raw ? from_raw<uint8_t, int64_t>(*raw, count, name)
                                            : typed(t.int32_data(), count, name, int64_t{}));
      case onnx::TensorProto::BOOL:
        return Constant::of_ints(shape, raw ? from_raw<uint8_t, int64_t>(*raw, count, name)
                                            : typed(t.int32_data(), count, name, int64_t{}));
      case onnx::TensorProto::UINT32:
        return Constant::of_ints(shape, raw ? from_raw<uint32_t, int64_t>(*raw, count, name)
                                            : typed(t.uint64_data(), count, name, int64_t{}));
      default:
        throw error(context_, ": tensor '", name, "' has unsupported element type ",
                    onnx::TensorProto::DataType_Name(
                        static_cast<onnx::TensorProto::DataType>(t.data_type())));
    }
  }

 private:
  template <typename Stored, typename Out>
  std::vector<Out> from_raw(const std::string& raw, int64_t count, const std::string& name) const {
    if (raw.size() != static_cast<size_t>(count) * sizeof(Stored))
      throw error(context_, ": tensor '", name, "' holds ", raw.size(), " bytes of data, expected ",
                  static_cast<size_t>(count) * sizeof(Stored));
    std::vector<Out> out(static_cast<size_t>(count));
    for (size_t i = 0; i < out.size(); ++i) {
      Stored v;
      std::memcpy(&v, raw.data() + i * sizeof(Stored), sizeof(Stored));
      out[i] = static_cast<Out>(v);
    }
    return out;
  }

  template <typename Field, typename Out>
  std::vector<Out> typed(const Field& field, int64_t count, const std::string& name, Out) const {
    if (field.size() != count)
      throw error(context_, ": tensor '", name, "' holds ", field.size(), " values, expected ", count);
    std::vector<Out> out;
    out.reserve(static_cast<size_t>(count));
    for (const auto& v : field) out.push_back(static_cast<Out>(v));
    return out;
  }

  std::vector<float> half_to_float(const std::string* raw, const onnx::TensorProto& t,
                                   int64_t count, const std::string& name) const {
    std::vector<uint16_t> bits = raw ? from_raw<uint16_t, uint16_t>(*raw, count, name)
                                     : typed(t.int32_data(), count, name, uint16_t{});
    std::vector<float> out(bits.size());
    for (size_t i = 0; i < bits.size(); ++i) out[i] = half_bits_to_float(bits[i]);
    return out;
  }

  static float half_bits_to_float(uint16_t h) {
    const uint32_t sign = static_cast<uint32_t>(h & 0x8000u) << 16;
    uint32_t exponent = (h >> 10) & 0x1fu;
    uint32_t mantissa = h & 0x3ffu;
    uint32_t bits = 0;
    if (exponent == 0) {
      if (mantissa != 0) {  // subnormal: renormalize
        exponent = 127 - 15 + 1;
        while ((mantissa & 0x400u) == 0) {
          mantissa <<= 1;
          --exponent;
        }
        mantissa &= 0x3ffu;
        bits = sign | (exponent << 23) | (mantissa << 13);
      } else {
        bits = sign;
      }
    } else if (exponent == 31) {
      bits = sign | 0x7f800000u | (mantissa << 13);
    } else {
      bits = sign | ((exponent + 127 - 15) << 23) | (mantissa << 13);
    }
    float f;
    std::memcpy(&f, &bits, sizeof f);
    return f;
  }

  std::string read_external(const onnx::TensorProto& t, const std::string& name) const {
    std::string location;
    int64_t offset = 0, length = -1;
    for (const auto& entry : t.external_data()) {
      try {
        if (entry.key() == "location") location = entry.value();
        else if (entry.key() == "offset") offset = std::stoll(entry.value());
        else if (entry.key() == "length") length = std::stoll(entry.value());
      } catch (const std::exception&) {
        throw error(context_, ": tensor '", name, "' has a bad external_data ", entry.key(), " '",
                    entry.value(), "'");
      }
    }
    std::filesystem::path rel(location);
    if (location.empty() || rel.is_absolute() ||
        std::any_of(rel.begin(), rel.end(), [](const auto& part) { return part == ".."; }))
      throw error(context_, ": tensor '", name, "' has external data location '", location,
                  "' outside the model's folder");
    const std::filesystem::path file = base_dir_ / rel;
    std::ifstream in(file, std::ios::binary);
    if (!in)
      throw error(context_, ": tensor '", name, "' needs external data file '", file.string(),
                  "', which cannot be opened");
    in.seekg(0, std::ios::end);
    const auto file_size = static_cast<int64_t>(in.tellg());
    if (length < 0) length = file_size - offset;
    if (offset < 0 || length < 0 || offset + length > file_size)
      throw error(context_, ": tensor '", name, "' reads bytes ", offset, "..", offset + length,
                  " of '", file.string(), "', which has ", file_size);
    std::string bytes(static_cast<size_t>(length), '\0');
    in.seekg(offset);
    in.read(bytes.data(), length);
    if (!in) throw error("cannot read external data file '", file.string(), "'");
    return bytes;
  }

  std::string context_;
  std::filesystem::path base_dir_;
};

Attribute convert_attribute(const onnx::AttributeProto& a, const TensorReader& reader) {
  Attribute out;
  switch (a.type()) {
    case onnx::AttributeProto::INT: out.kind = Attribute::Kind::kInt; out.i = a.i(); break;
    case onnx::AttributeProto::FLOAT: out.kind = Attribute::Kind::kFloat; out.f = a.f(); break;
    case onnx::AttributeProto::STRING: out.kind = Attribute::Kind::kString; out.s = a.s(); break;
    case onnx::AttributeProto::INTS:
      out.kind = Attribute::Kind::kInts;
      out.ints.assign(a.ints().begin(), a.ints().end());
      break;
    case onnx::AttributeProto::FLOATS:
      out.kind = Attribute::Kind::kFloats;
      out.floats.assign(a.floats().begin(), a.floats().end());
      break;
    case onnx::AttributeProto::STRINGS:
      out.kind = Attribute::Kind::kStrings;
      out.strings.assign(a.strings().begin(), a.strings().end());
      break;
    case onnx::AttributeProto::TENSOR:
      out.kind = Attribute::Kind::kTensor;
      out.tensor = std::make_shared<Constant>(reader.read(a.t()));
      break;
    case onnx::AttributeProto::GRAPH:
    case onnx::AttributeProto::GRAPHS: out.kind = Attribute::Kind::kGraph; break;
    default: out.kind = Attribute::Kind::kOther; break;
  }
  return out;
}

Shape value_shape(const onnx::ValueInfoProto& v, std::vector<std::string>* dim_names) {
  Shape shape;
  if (!v.type().has_tensor_type() || !v.type().tensor_type().has_shape()) return shape;
  for (const auto& d : v.type().tensor_type().shape().dim()) {
    shape.push_back(d.has_dim_value() ? d.dim_value() : -1);
    if (dim_names) dim_names->push_back(d.has_dim_value() ? "" : d.dim_param());
  }
  return shape;
}

// A graph input whose fixed dimensions alone exceed kMaxElements is corruption, like such an
// initializer (symbolic dimensions, -1, are left to the caller's shape).
void check_declared_size(const std::string& file, const graph::Input& input) {
  int64_t fixed = 1;
  for (int64_t d : input.shape) {
    if (d <= 0) continue;
    if (d > kMaxElements / fixed)
      throw error(file, ": input '", input.name, "' declares absurd size ", to_string(input.shape));
    fixed *= d;
  }
}

// Orders nodes so each comes after the producers of its inputs; keeps file order where valid.
std::vector<graph::Node> topological_order(std::vector<graph::Node> nodes,
                                           const std::set<std::string>& available,
                                           const std::string& file) {
  std::unordered_map<std::string, size_t> producer;
  for (size_t i = 0; i < nodes.size(); ++i)
    for (const std::string& out : nodes[i].outputs) {
      if (out.empty()) continue;
      if (available.count(out) || !producer.emplace(out, i).second)
        throw error(file, ": tensor '", out, "' is produced more than once (by ",
                    nodes[i].describe(), " and another)");
    }
  std::vector<std::vector<size_t>> consumers(nodes.size());
  std::vector<size_t> pending(nodes.size(), 0);
  for (size_t i = 0; i < nodes.size(); ++i)
    for (const std::string& in : nodes[i].inputs) {
      if (in.empty() || available.count(in)) continue;
      auto it = producer.find(in);
      if (it == producer.end())
        throw error(file, ": ", nodes[i].describe(), " reads tensor '", in,
                    "', which no node, input or initializer provides");
      consumers[it->second].push_back(i);
      ++pending[i];
    }
  std::vector<size_t> order;
  std::set<size_t> ready;
  for (size_t i = 0; i < nodes.size(); ++i)
    if (pending[i] == 0) ready.insert(i);
  while (!ready.empty()) {
    size_t i = *ready.begin();
    ready.erase(ready.begin());
    order.push_back(i);
    for (size_t c : consumers[i])
      if (--pending[c] == 0) ready.insert(c);
  }
  if (order.size() != nodes.size()) throw error(file, ": the graph has a cycle");
  std::vector<graph::Node> sorted;
  sorted.reserve(nodes.size());
  for (size_t i : order) sorted.push_back(std::move(nodes[i]));
  return sorted;
}

}  // namespace

graph::Graph load_model(const std::filesystem::path& path) {
  const std::string file = path.string();
  const std::string bytes = read_file(path, "model file");
  onnx::ModelProto model;
  if (bytes.empty() || !model.ParseFromString(bytes))
    throw error("'", file, "' is not an ONNX model (it does not parse as an ONNX protobuf; the file",
                " may be truncated or corrupt)");
  if (!model.has_graph() || model.graph().node_size() == 0)
    throw error("'", file, "' is not an ONNX model (it has no graph nodes)");

  graph::Graph g;
  g.source = file;
  for (const auto& op : model.opset_import())
    if (op.domain().empty() || op.domain() == "ai.onnx") g.opset = op.version();
  if (g.opset == 0 && model.opset_import_size() == 0) g.opset = 1;
  if (g.opset < kMinOpset || g.opset > kMaxOpset)
    throw error("'", file, "' uses ONNX opset ", g.opset, "; neuroscope supports opsets ", kMinOpset,
                " to ", kMaxOpset);
  for (const auto& prop : model.metadata_props()) g.metadata.emplace_back(prop.key(), prop.value());

  const onnx::GraphProto& gp = model.graph();
  TensorReader reader(file, path.parent_path());
  std::set<std::string> available;
  for (const auto& init : gp.initializer()) {
    if (init.name().empty()) throw error(file, ": an initializer has no name");
    g.constants[init.name()] = reader.read(init);
    available.insert(init.name());
  }
  for (const auto& in : gp.input()) {
    if (g.constants.count(in.name())) continue;  // an input with a default value: a constant
    graph::Input input;
    input.name = in.name();
    input.shape = value_shape(in, &input.dim_names);
    check_declared_size(file, input);
    const int elem = in.type().tensor_type().elem_type();
    input.dtype = (elem == onnx::TensorProto::FLOAT || elem == onnx::TensorProto::DOUBLE ||
                   elem == onnx::TensorProto::FLOAT16)
                      ? DType::kFloat32
                      : DType::kInt64;
    g.inputs.push_back(std::move(input));
    available.insert(in.name());
  }
  for (const auto& out : gp.output()) g.outputs.push_back(out.name());

  std::vector<graph::Node> nodes;
  std::set<std::string> names;
  for (int i = 0; i < gp.node_size(); ++i) {
    const onnx::NodeProto& np = gp.node(i);
    graph::Node node;
    node.op_type = np.domain().empty() || np.domain() == "ai.onnx"
                       ? np.op_type()
                       : np.domain() + "." + np.op_type();
    node.name = np.name();
    if (node.name.empty() || names.count(node.name))
      node.name = (node.name.empty() ? node.op_type : node.name) + "_" + std::to_string(i);
    names.insert(node.name);
    node.inputs.assign(np.input().begin(), np.input().end());
    node.outputs.assign(np.output().begin(), np.output().end());
    for (const auto& a : np.attribute()) {
      if (a.name().empty()) throw error(file, ": ", node.describe(), " has an unnamed attribute");
      node.attributes[a.name()] = convert_attribute(a, reader);
    }
    nodes.push_back(std::move(node));
  }
  g.nodes = topological_order(std::move(nodes), available, file);
  return g;
}

graph::Constant load_tensor(const std::filesystem::path& path) {
  const std::string bytes = read_file(path, "tensor file");
  onnx::TensorProto t;
  if (!t.ParseFromString(bytes)) throw error("'", path.string(), "' is not an ONNX TensorProto");
  return TensorReader(path.string(), path.parent_path()).read(t);
}

}  // namespace neuroscope::onnx_io
