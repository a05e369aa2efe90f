#include "testing/graph_builder.h"

namespace neuroscope::testing {

graph::Attribute attr_int(int64_t v) {
  graph::Attribute a;
  a.kind = graph::Attribute::Kind::kInt;
  a.i = v;
  return a;
}
graph::Attribute attr_float(float v) {
  graph::Attribute a;
  a.kind = graph::Attribute::Kind::kFloat;
  a.f = v;
  return a;
}
graph::Attribute attr_string(std::string v) {
  graph::Attribute a;
  a.kind = graph::Attribute::Kind::kString;
  a.s = std::move(v);
  return a;
}
graph::Attribute attr_ints(std::vector<int64_t> v) {
  graph::Attribute a;
  a.kind = graph::Attribute::Kind::kInts;
  a.ints = std::move(v);
  return a;
}
graph::Attribute attr_floats(std::vector<float> v) {
  graph::Attribute a;
  a.kind = graph::Attribute::Kind::kFloats;
  a.floats = std::move(v);
  return a;
}

GraphBuilder::GraphBuilder(std::string name, int64_t opset) {
  graph_.source = std::move(name);
  graph_.opset = opset;
}

GraphBuilder& GraphBuilder::input(const std::string& name, const Shape& shape) {
  graph::Input in;
  in.name = name;
  in.shape = shape;
  in.dim_names.assign(shape.size(), "");
  graph_.inputs.push_back(in);
  return *this;
}

GraphBuilder& GraphBuilder::constant(const std::string& name, const Tensor& value) {
  graph_.constants[name] = graph::Constant::of_floats(
      value.shape(), std::vector<float>(value.values().begin(), value.values().end()));
  return *this;
}

GraphBuilder& GraphBuilder::int_constant(const std::string& name, const Shape& shape,
                                         std::vector<int64_t> values) {
  graph_.constants[name] = graph::Constant::of_ints(shape, std::move(values));
  return *this;
}

graph::Node& GraphBuilder::node(const std::string& op_type, std::vector<std::string> inputs,
                                std::vector<std::string> outputs) {
  graph::Node n;
  n.op_type = op_type;
  n.name = op_type + "_" + std::to_string(graph_.nodes.size());
  n.inputs = std::move(inputs);
  n.outputs = std::move(outputs);
  graph_.nodes.push_back(std::move(n));
  return graph_.nodes.back();
}

GraphBuilder& GraphBuilder::output(const std::string& name) {
  graph_.outputs.push_back(name);
  return *this;
}

Model GraphBuilder::build() const { return Model::from_graph(graph_); }

}  // namespace neuroscope::testing
