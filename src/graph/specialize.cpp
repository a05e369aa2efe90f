#include "graph/specialize.h"

#include <set>

#include "neuroscope/error.h"
#include "ops/op.h"
#include "ops/ref/ref.h"

namespace neuroscope::graph {
namespace {

// Run-time tensors beyond this are certainly a mistake (2^31 floats = 8 GiB).
constexpr int64_t kMaxRuntimeElements = int64_t{1} << 31;

bool is_shape_query(std::string_view op) { return op == "Shape" || op == "Size"; }

// Folds, aliases or shape-infers one node, appending to `out`.
void specialize_node(const Node& original, const Graph& in, ShapedGraph& out) {
  Graph& g = out.graph;
  Node node = original;
  for (std::string& name : node.inputs)
    if (!name.empty()) name = g.resolve(name);
  bool all_constant = true;
  std::vector<Shape> shapes;
  for (const std::string& name : node.inputs) {
    if (name.empty()) {
      shapes.emplace_back();
      continue;
    }
    if (auto c = g.constants.find(name); c != g.constants.end()) {
      shapes.push_back(c->second.shape);
      continue;
    }
    auto s = out.shapes.find(name);
    if (s == out.shapes.end())
      throw error(in.source, ": ", node.describe(), " reads tensor '", name,
                  "', which is not computed before it");
    shapes.push_back(s->second);
    all_constant = false;
  }

  if (ops::is_passthrough(node.op_type)) {
    if (node.inputs.empty() || node.inputs[0].empty())
      throw error(in.source, ": ", node.describe(), " has no input");
    g.aliases[node.outputs.at(0)] = node.inputs[0];
    // Dropout's optional mask output: all ones at inference.
    if (node.outputs.size() > 1 && !node.outputs[1].empty()) {
      const Shape& s = shapes[0];
      g.constants[node.outputs[1]] =
          Constant::of_ints(s, std::vector<int64_t>(static_cast<size_t>(element_count(s)), 1));
    }
    return;
  }

  const ref::RefFn ref_fn = ref::find(node.op_type);
  if (ref_fn && (all_constant || is_shape_query(node.op_type))) {
    std::vector<ref::RefTensor> args;
    args.reserve(node.inputs.size());
    for (size_t i = 0; i < node.inputs.size(); ++i) {
      if (node.inputs[i].empty()) {
        args.emplace_back();
        continue;
      }
      auto c = g.constants.find(node.inputs[i]);
      if (c != g.constants.end()) {
        args.push_back(ref::from_constant(c->second));
      } else {  // a shape query only looks at the shape
        ref::RefTensor shape_only;
        shape_only.shape = shapes[i];
        args.push_back(std::move(shape_only));
      }
    }
    ref::RefInputs ptrs;
    for (size_t i = 0; i < args.size(); ++i)
      ptrs.push_back(node.inputs[i].empty() ? nullptr : &args[i]);
    std::vector<ref::RefTensor> results;
    try {
      results = ref_fn(node, g.opset, ptrs);
    } catch (const Error& e) {
      throw error(in.source, ": ", e.what());
    }
    for (size_t o = 0; o < node.outputs.size() && o < results.size(); ++o)
      if (!node.outputs[o].empty()) g.constants[node.outputs[o]] = ref::to_constant(results[o]);
    return;
  }

  const ops::OpSpec* spec = ops::find_op(node.op_type);
  if (!spec) {
    if (ref_fn)
      throw error(in.source, ": ", node.describe(),
                  " is supported only on constant inputs (shape arithmetic), but it reads tensors"
                  " computed at run time");
    throw error(in.source, ": ", node.describe(), ": unsupported operator");
  }
  std::vector<Shape> result;
  try {
    result = spec->infer(ops::ShapeContext(node, g, shapes));
  } catch (const Error& e) {
    throw error(in.source, ": ", e.what());
  }
  NS_CHECK(result.size() >= node.outputs.size() || result.size() == 1, node.describe());
  for (size_t o = 0; o < node.outputs.size(); ++o) {
    if (node.outputs[o].empty()) continue;
    const Shape& s = result.at(o);
    int64_t count = 0;
    try {
      count = element_count(s);
    } catch (const Error&) {
      count = kMaxRuntimeElements + 1;
    }
    if (count > kMaxRuntimeElements)
      throw error(in.source, ": ", node.describe(), ": output '", node.outputs[o],
                  "' would have shape ", to_string(s), ", too large");
    out.shapes[node.outputs[o]] = s;
  }
  g.nodes.push_back(std::move(node));
}

}  // namespace

const Shape& ShapedGraph::shape_of(std::string_view name) const {
  auto it = shapes.find(name);
  NS_CHECK(it != shapes.end(), "no shape for tensor '", name, "'");
  return it->second;
}

ShapedGraph specialize(const Graph& in, const std::map<std::string, Shape>& input_shapes,
                       std::string* first_error) {
  ShapedGraph out;
  Graph& g = out.graph;
  g.source = in.source;
  g.opset = in.opset;
  g.constants = in.constants;
  g.inputs = in.inputs;
  g.metadata = in.metadata;
  g.aliases = in.aliases;

  for (const auto& [name, shape] : input_shapes)
    if (!in.find_input(name))
      throw error(in.source, ": the model has no input named '", name, "'");
  for (Input& input : g.inputs) {
    auto given = input_shapes.find(input.name);
    Shape shape = given != input_shapes.end() ? given->second : input.shape;
    for (int64_t d : shape)
      if (d <= 0)
        throw error(in.source, ": input '", input.name, "' has shape ", to_string(shape),
                    "; every dimension must be known and positive");
    if (element_count(shape) > kMaxRuntimeElements)
      throw error(in.source, ": input '", input.name, "' of shape ", to_string(shape), " is too large");
    input.shape = shape;
    out.shapes[input.name] = shape;
  }

  for (const Node& original : in.nodes) {
    try {
      specialize_node(original, in, out);
    } catch (const Error& e) {
      if (!first_error) throw;
      *first_error = e.what();
      break;
    }
  }
  for (const std::string& name : in.outputs) out.graph.outputs.push_back(out.graph.resolve(name));
  return out;
}

}  // namespace neuroscope::graph
