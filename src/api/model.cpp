#include "neuroscope/model.h"

#include <algorithm>
#include <set>

#include "graph/graph.h"
#include "graph/specialize.h"
#include "neuroscope/error.h"
#include "onnx/onnx_loader.h"
#include "ops/op.h"
#include "ops/ref/ref.h"
#include "util/closest.h"

namespace neuroscope {
namespace {

void check_supported(const graph::Graph& g) {
  std::vector<std::string> unsupported;
  std::set<std::string> types;
  for (const graph::Node& node : g.nodes) {
    if (ops::find_op(node.op_type) || ops::is_passthrough(node.op_type) || ref::find(node.op_type))
      continue;
    unsupported.push_back("'" + node.name + "' (" + node.op_type + ")");
    types.insert(node.op_type);
  }
  if (unsupported.empty()) return;
  std::string list;
  const size_t shown = std::min<size_t>(unsupported.size(), 20);
  for (size_t i = 0; i < shown; ++i) list += (i ? ", " : "") + unsupported[i];
  if (shown < unsupported.size()) list += ", and " + std::to_string(unsupported.size() - shown) + " more";
  std::string type_list;
  for (const std::string& t : types) type_list += (type_list.empty() ? "" : ", ") + t;
  throw error(g.source, ": ", unsupported.size(), " node", unsupported.size() == 1 ? " uses" : "s use",
              " unsupported operators (", type_list, "): ", list);
}

}  // namespace

int64_t TensorInfo::channels() const {
  if (shape.size() >= 2) return shape[1];
  return shape.empty() ? 1 : shape.back();
}

Model::Model(std::filesystem::path path, std::shared_ptr<const graph::Graph> graph)
    : path_(std::move(path)), graph_(std::move(graph)) {}

Model Model::load(const std::filesystem::path& path) {
  auto g = std::make_shared<graph::Graph>(onnx_io::load_model(path));
  check_supported(*g);
  if (g->inputs.empty()) throw error(path.string(), ": the model has no run-time input");
  return Model(path, std::move(g));
}

Model Model::from_graph(graph::Graph graph) {
  auto g = std::make_shared<graph::Graph>(std::move(graph));
  check_supported(*g);
  if (g->inputs.empty()) throw error(g->source, ": the model has no run-time input");
  std::filesystem::path path = g->source;
  return Model(std::move(path), std::move(g));
}

int64_t Model::opset() const { return graph_->opset; }

std::vector<ModelInput> Model::inputs() const {
  std::vector<ModelInput> out;
  for (const graph::Input& in : graph_->inputs)
    out.push_back({in.name, in.shape, in.dim_names, in.dtype == graph::DType::kFloat32});
  return out;
}

std::vector<std::string> Model::outputs() const { return graph_->outputs; }

const std::vector<std::pair<std::string, std::string>>& Model::metadata() const {
  return graph_->metadata;
}

std::optional<std::string> Model::metadata_value(std::string_view key) const {
  return graph_->metadata_value(key);
}

Shape Model::default_input_shape(std::string_view name) const {
  const graph::Input* in = name.empty() ? &graph_->inputs.front() : graph_->find_input(name);
  if (!in) throw error(path_.string(), ": the model has no input named '", name, "'");
  int64_t size = 224;
  if (auto v = metadata_value("default_size")) {
    try {
      size = std::stoll(*v);
    } catch (const std::exception&) {
      throw error(path_.string(), ": metadata default_size '", *v, "' is not a number");
    }
  }
  Shape shape = in->shape;
  for (size_t k = 0; k < shape.size(); ++k)
    if (shape[k] < 0) shape[k] = k == 0 ? 1 : (k >= 2 ? size : -1);
  for (int64_t d : shape)
    if (d < 0)
      throw error(path_.string(), ": input '", in->name, "' has symbolic shape ", to_string(in->shape),
                  "; give its shape explicitly");
  return shape;
}

std::map<std::string, Shape> Model::complete_shapes(const std::map<std::string, Shape>& given) const {
  std::map<std::string, Shape> shapes = given;
  for (const graph::Input& in : graph_->inputs)
    if (!shapes.count(in.name)) shapes[in.name] = default_input_shape(in.name);
  return shapes;
}

std::vector<TensorInfo> Model::tensors(const std::map<std::string, Shape>& input_shapes,
                                       std::string* shape_error) const {
  const graph::ShapedGraph sg =
      graph::specialize(*graph_, complete_shapes(input_shapes), shape_error);
  std::vector<TensorInfo> out;
  for (const graph::Input& in : graph_->inputs)
    out.push_back({in.name, "Input", "", sg.shape_of(in.name)});
  for (const graph::Node& node : graph_->nodes)
    for (const std::string& name : node.outputs) {
      if (name.empty()) continue;
      const std::string target = sg.graph.resolve(name);
      if (sg.graph.is_constant(target)) continue;  // folded: not an activation
      auto it = sg.shapes.find(target);
      if (it != sg.shapes.end()) out.push_back({name, node.op_type, node.name, it->second});
      else out.push_back({name, node.op_type, node.name, {}, false});  // past a shape error
    }
  return out;
}

Shape Model::tensor_shape(std::string_view name, const std::map<std::string, Shape>& input_shapes) const {
  const std::string tensor = resolve_tensor(name);
  graph::Graph needed = *graph_;
  graph::truncate(needed, {tensor});
  const graph::ShapedGraph sg = graph::specialize(needed, complete_shapes(input_shapes));
  const std::string target = sg.graph.resolve(tensor);
  if (sg.graph.is_constant(target))
    throw error(path_.string(), ": tensor '", name, "' does not depend on the input (it folds to a constant)");
  return sg.shape_of(target);
}

std::string Model::resolve_tensor(std::string_view name) const {
  std::vector<std::string> names;
  for (const graph::Input& in : graph_->inputs) names.push_back(in.name);
  for (const graph::Node& node : graph_->nodes)
    for (const std::string& out : node.outputs)
      if (!out.empty()) names.push_back(out);
  if (std::find(names.begin(), names.end(), name) != names.end()) return std::string(name);
  if (graph_->is_constant(name))
    throw error(path_.string(), ": '", name, "' is a constant (weights), not a tensor computed from",
                " the input");
  std::string hint;
  for (const std::string& n : util::closest_names(name, names, 4)) hint += (hint.empty() ? "" : ", ") + n;
  throw error(path_.string(), ": no tensor named '", name, "'; closest names: ", hint,
              " (run 'neuroscope layers' for the full list)");
}

}  // namespace neuroscope
