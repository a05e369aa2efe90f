// Builds small IR graphs in code (single-op models for operator tests).
#pragma once

#include <string>
#include <vector>

#include "graph/graph.h"
#include "neuroscope/model.h"

namespace neuroscope::testing {

graph::Attribute attr_int(int64_t v);
graph::Attribute attr_float(float v);
graph::Attribute attr_string(std::string v);
graph::Attribute attr_ints(std::vector<int64_t> v);
graph::Attribute attr_floats(std::vector<float> v);

class GraphBuilder {
 public:
  explicit GraphBuilder(std::string name, int64_t opset = 13);
  // A run-time float input.
  GraphBuilder& input(const std::string& name, const Shape& shape);
  GraphBuilder& constant(const std::string& name, const Tensor& value);
  GraphBuilder& int_constant(const std::string& name, const Shape& shape, std::vector<int64_t> values);
  graph::Node& node(const std::string& op_type, std::vector<std::string> inputs,
                    std::vector<std::string> outputs);
  GraphBuilder& output(const std::string& name);
  graph::Graph& graph() { return graph_; }
  Model build() const;

 private:
  graph::Graph graph_;
};

}  // namespace neuroscope::testing
