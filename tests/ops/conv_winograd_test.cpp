// Precision::kFloat32Winograd: a 3x3 convolution with enough output positions runs through
// oneDNN's Winograd kernels (forward with a fused ReLU, and backward to the input). Checked
// against the float64 reference: the value, and the input gradient along random directions
// against central differences (every element would need thousands of reference runs).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <iostream>
#include <random>

#include "neuroscope/network.h"
#include "ops/op_case.h"
#include "testing/graph_builder.h"
#include "testing/ref_network.h"
#include "testing/testing.h"

namespace neuroscope::testing {
namespace {

TEST(ConvWinograd, MatchesReferenceAndDiffersFromDirect) {
  if (std::string why = precision_unavailable_reason(Precision::kFloat32Winograd); !why.empty())
    GTEST_SKIP() << "SKIPPED: " << why;
  std::mt19937 rng(5);
  const Shape x_shape = {2, 32, 32, 32};  // 2 x 32 x 32 output positions: Winograd pays here
  GraphBuilder b("conv_winograd", 13);
  b.input("x", x_shape);
  b.constant("w", random_tensor({32, 32, 3, 3}, rng, -0.1f, 0.1f));
  b.constant("bias", random_tensor({32}, rng));
  b.node("Conv", {"x", "w", "bias"}, {"c"}).attributes["pads"] = attr_ints({1, 1, 1, 1});
  b.node("Relu", {"c"}, {"y"});
  b.output("y");
  const Model model = b.build();
  const Tensor x = random_tensor(x_shape, rng);
  const Tensor w = random_tensor({2, 32, 32, 32}, rng);

  auto run = [&](Precision precision) {
    Network net(model, {.outputs = {"y"}, .precision = precision});
    std::copy(x.values().begin(), x.values().end(), net.input("x").values().begin());
    net.forward();
    std::copy(w.values().begin(), w.values().end(), net.output_gradient("y").values().begin());
    net.backward();
    return std::make_pair(net.output("y"), net.input_gradient("x"));
  };
  const auto [y, dx] = run(Precision::kFloat32Winograd);
  const auto [y_direct, dx_direct] = run(Precision::kFloat32);
  // Different rounding shows that another algorithm ran.
  EXPECT_FALSE(std::equal(y.values().begin(), y.values().end(), y_direct.values().begin()))
      << "Winograd and direct convolution gave identical bits: was Winograd used?";

  ReferenceNetwork ref(model, {{"x", x_shape}}, {"y"});
  auto objective = [&](const ref::RefTensor& input) {
    const ref::RefTensor out = ref.run({{"x", input}}).at("y");
    double sum = 0;
    for (int64_t k = 0; k < out.size(); ++k) sum += w[k] * out.v[static_cast<size_t>(k)];
    return sum;
  };
  const ref::RefTensor x64 = ref::from_tensor(x);
  EXPECT_LE(relative_error(y, ref::to_tensor(ref.run({{"x", x64}}).at("y"))), 1e-4) << "forward";
  // A tiny step (the float64 reference can afford it): along a random direction the derivative
  // sums 64K terms of both signs, and each ReLU kink the step crosses moves it by ~0.5%.
  expect_directional_derivatives(objective, x64, dx, rng, 1e-7);
}

// Each precision either builds, or, where this CPU cannot run it, is refused at construction
// with precision_unavailable_reason's message (nothing silently falls back to float32).
TEST(Precisions, UnavailableOnesAreRefusedWithTheReason) {
  std::mt19937 rng(6);
  GraphBuilder b("conv_precision", 13);
  b.input("x", {1, 32, 8, 8});
  b.constant("w", random_tensor({32, 32, 3, 3}, rng));
  b.node("Conv", {"x", "w"}, {"y"});
  b.output("y");
  const Model model = b.build();
  EXPECT_EQ(precision_unavailable_reason(Precision::kFloat32), "") << "float32 runs anywhere";
  for (Precision p : {Precision::kFloat32Winograd, Precision::kBFloat16}) {
    const std::string why = precision_unavailable_reason(p);
    if (why.empty()) {
      EXPECT_NO_THROW(Network(model, {.outputs = {"y"}, .precision = p}));
      continue;
    }
    std::cout << "this CPU cannot run a precision: " << why << "\n";
    try {
      Network net(model, {.outputs = {"y"}, .precision = p});
      ADD_FAILURE() << "built a network in a precision this CPU lacks: " << why;
    } catch (const std::exception& e) {
      EXPECT_EQ(std::string(e.what()), why);
    }
  }
}

}  // namespace
}  // namespace neuroscope::testing
