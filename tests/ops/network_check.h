// Checks a small multi-node model end to end: the engine's output against the float64 reference
// network (ops/ref, no graph rewrites), and its input gradient of sum(w * y), random w, against
// central finite differences of that reference. Used where layouts, fusions and folds between
// ops matter, which single-op cases cannot reach.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <string>

#include "neuroscope/network.h"
#include "ops/op_case.h"
#include "testing/ref_network.h"
#include "testing/testing.h"

namespace neuroscope::testing {

// `net` computes output "y" (and possibly more) from the single input "x" of `model`. Runs
// the engine's forward pass on a random x (checked against the float64 reference network) and
// its backward pass of sum(w * y) for a random w, leaving the rest to the caller: `objective`
// gives sum(w * y) by the reference at any input, for finite differences.
struct ReferenceComparison {
  ReferenceNetwork ref;
  Tensor x, w;
  ref::RefTensor x_ref;

  double objective(const ref::RefTensor& input) const {
    const ref::RefTensor y = ref.run({{"x", input}}).at("y");
    double sum = 0;
    for (int64_t k = 0; k < y.size(); ++k) sum += w[k] * y.v[static_cast<size_t>(k)];
    return sum;
  }
};

inline ReferenceComparison run_against_reference(Network& net, const Model& model,
                                                 const Shape& x_shape, std::mt19937& rng) {
  ReferenceComparison c{ReferenceNetwork(model, {{"x", x_shape}}, {"y"}),
                        random_tensor(x_shape, rng), Tensor(), ref::RefTensor()};
  std::copy(c.x.values().begin(), c.x.values().end(), net.input("x").values().begin());
  net.forward();
  c.x_ref = ref::from_tensor(c.x);
  const Tensor expected = ref::to_tensor(c.ref.run({{"x", c.x_ref}}).at("y"));
  EXPECT_EQ(net.output("y").shape(), expected.shape());
  EXPECT_LE(relative_error(net.output("y"), expected), 1e-4) << "forward";
  c.w = random_tensor(expected.shape(), rng);
  std::copy(c.w.values().begin(), c.w.values().end(), net.output_gradient("y").values().begin());
  net.backward();
  return c;
}

// The above, and the input gradient element by element (every third) against central
// differences. Profiling is switched on, so the caller can inspect net.profile() afterwards.
inline void expect_network_matches_reference(Network& net, const Model& model,
                                             const Shape& x_shape) {
  std::mt19937 rng(7);
  net.set_profiling(true);
  const ReferenceComparison c = run_against_reference(net, model, x_shape, rng);
  const Tensor& dx = net.input_gradient("x");
  double max_diff = 0, max_fd = 0;
  const double step = 1e-4;
  for (int64_t k = 0; k < c.x.size(); k += 3) {
    ref::RefTensor plus = c.x_ref, minus = c.x_ref;
    plus.v[static_cast<size_t>(k)] += step;
    minus.v[static_cast<size_t>(k)] -= step;
    const double fd = (c.objective(plus) - c.objective(minus)) / (2 * step);
    max_diff = std::max(max_diff, std::fabs(fd - dx[k]));
    max_fd = std::max(max_fd, std::fabs(fd));
  }
  EXPECT_LE(max_diff / std::max(max_fd, 1e-6), 2e-3) << "input gradient";
}

inline bool runs_op(const Network& net, const std::string& op) {
  const auto rows = net.profile();
  return std::any_of(rows.begin(), rows.end(), [&](const ProfileRow& r) { return r.op == op; });
}

}  // namespace neuroscope::testing
