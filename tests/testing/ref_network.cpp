#include "testing/ref_network.h"

#include <gtest/gtest.h>

#include <cmath>

#include "neuroscope/error.h"

namespace neuroscope::testing {
namespace {
graph::Graph truncated(const Model& model, const std::vector<std::string>& outputs) {
  graph::Graph g = model.graph();
  graph::truncate(g, outputs);
  return g;
}
}  // namespace

ReferenceNetwork::ReferenceNetwork(const Model& model,
                                   const std::map<std::string, Shape>& input_shapes,
                                   const std::vector<std::string>& outputs)
    : graph_(graph::specialize(truncated(model, outputs), input_shapes)) {
  for (const std::string& name : outputs) outputs_.push_back(graph_.graph.resolve(name));
  for (const auto& [name, c] : graph_.graph.constants) constants_[name] = ref::from_constant(c);
}

std::map<std::string, ref::RefTensor> ReferenceNetwork::run(
    const std::map<std::string, ref::RefTensor>& inputs) const {
  std::map<std::string, ref::RefTensor> values = constants_;
  for (const auto& [name, t] : inputs) values[name] = t;
  for (const graph::Node& node : graph_.graph.nodes) {
    ref::RefInputs args;
    for (const std::string& in : node.inputs) {
      if (in.empty()) {
        args.push_back(nullptr);
        continue;
      }
      auto it = values.find(in);
      NS_CHECK(it != values.end(), node.describe(), " input '", in, "' has no value");
      args.push_back(&it->second);
    }
    std::vector<ref::RefTensor> results = ref::evaluate(node, graph_.graph.opset, args);
    for (size_t o = 0; o < node.outputs.size() && o < results.size(); ++o)
      if (!node.outputs[o].empty()) values[node.outputs[o]] = std::move(results[o]);
  }
  std::map<std::string, ref::RefTensor> out;
  for (const std::string& name : outputs_) out[name] = values.at(name);
  return out;
}

void expect_directional_derivatives(const std::function<double(const ref::RefTensor&)>& objective,
                                    const ref::RefTensor& x, const Tensor& gradient,
                                    std::mt19937& rng, double step, int directions) {
  std::normal_distribution<double> normal(0.0, 1.0);
  for (int trial = 0; trial < directions; ++trial) {
    ref::RefTensor plus = x, minus = x;
    double analytic = 0;
    for (size_t i = 0; i < x.v.size(); ++i) {
      const double d = normal(rng);
      analytic += d * gradient[static_cast<int64_t>(i)];
      plus.v[i] += step * d;
      minus.v[i] -= step * d;
    }
    const double numeric = (objective(plus) - objective(minus)) / (2 * step);
    EXPECT_NEAR(analytic, numeric, 1e-3 * std::fabs(numeric))
        << "direction " << trial << ": engine " << analytic << ", finite differences " << numeric;
  }
}

}  // namespace neuroscope::testing
