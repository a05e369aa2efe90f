// Whole-network float64 oracle: runs a model node by node with the reference implementations
// (src/ops/ref). Slow (naive loops), so tests use it on small inputs.
#pragma once

#include <functional>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "graph/specialize.h"
#include "neuroscope/model.h"
#include "ops/ref/ref.h"

namespace neuroscope::testing {

// Checks an engine gradient of a scalar function against central differences of `objective`
// (float64, at x) along `directions` random Gaussian directions: each directional derivative
// within 1e-3 of the finite difference's magnitude.
void expect_directional_derivatives(const std::function<double(const ref::RefTensor&)>& objective,
                                    const ref::RefTensor& x, const Tensor& gradient,
                                    std::mt19937& rng, double step, int directions = 3);

class ReferenceNetwork {
 public:
  // Compiles the part of `model` that computes `outputs` for the given input shapes.
  ReferenceNetwork(const Model& model, const std::map<std::string, Shape>& input_shapes,
                   const std::vector<std::string>& outputs);
  // Runs in float64; returns the requested outputs.
  std::map<std::string, ref::RefTensor> run(
      const std::map<std::string, ref::RefTensor>& inputs) const;

 private:
  graph::ShapedGraph graph_;
  std::map<std::string, ref::RefTensor> constants_;
  std::vector<std::string> outputs_;
};

}  // namespace neuroscope::testing
