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

// `net` computes output "y" (and possibly more) from the single input "x" of `model`.
// Profiling is switched on, so the caller can inspect net.profile() afterwards.
inline void expect_network_matches_reference(Network& net, const Model& model,
                                             const Shape& x_shape) {
  std::mt19937 rng(7);
  const Tensor x = random_tensor(x_shape, rng);
  std::copy(x.values().begin(), x.values().end(), net.input("x").values().begin());
  net.set_profiling(true);
  net.forward();

  ReferenceNetwork ref(model, {{"x", x_shape}}, {"y"});
  auto run_ref = [&](const ref::RefTensor& input) { return ref.run({{"x", input}}).at("y"); };
  const ref::RefTensor x_ref = ref::from_tensor(x);
  const Tensor expected = ref::to_tensor(run_ref(x_ref));
  EXPECT_LE(relative_error(net.output("y"), expected), 1e-4) << "forward";

  const Tensor w = random_tensor(expected.shape(), rng);
  std::copy(w.values().begin(), w.values().end(), net.output_gradient("y").values().begin());
  net.backward();
  const Tensor& dx = net.input_gradient("x");
  auto objective = [&](const ref::RefTensor& input) {
    const ref::RefTensor y = run_ref(input);
    double sum = 0;
    for (int64_t k = 0; k < y.size(); ++k) sum += w[k] * y.v[static_cast<size_t>(k)];
    return sum;
  };
  double max_diff = 0, max_fd = 0;
  const double step = 1e-4;
  for (int64_t k = 0; k < x.size(); k += 3) {
    ref::RefTensor plus = x_ref, minus = x_ref;
    plus.v[static_cast<size_t>(k)] += step;
    minus.v[static_cast<size_t>(k)] -= step;
    const double fd = (objective(plus) - objective(minus)) / (2 * step);
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
