// Gradient contributions of a tensor read by several ops (Value::first_writer in plan.h): the
// contribution that runs first in the backward pass overwrites the gradient buffer, later
// convolutions add theirs in place (a sum post-op on their transposed correlation), and only
// the others leave a part for a final sum. Checked end to end against the float64 reference and
// through the profile (whether a "sum" step is left).
#include <algorithm>

#include "ops/network_check.h"
#include "testing/graph_builder.h"

namespace neuroscope::testing {
namespace {

// x -> Conv 1x1 -> Sigmoid -> h; h is read by a 1x1 Conv, a 3x3 Conv and an AveragePool (then a
// 1x1 Conv), concatenated, then a 3x3 Conv -> y. `pool_last`: the pool is the last of h's
// readers in the graph, so its gradient comes first and both convolutions add to it; otherwise
// the 3x3 Conv comes first, the 1x1 adds, and the pool's contribution is summed in.
Model shared_input_model(bool pool_last) {
  std::mt19937 rng(11);
  GraphBuilder b("gradient_accumulation", 13);
  b.input("x", {1, 16, 7, 6});
  b.constant("w0", random_tensor({16, 16, 1, 1}, rng));
  b.constant("wa", random_tensor({16, 16, 1, 1}, rng));
  b.constant("wb", random_tensor({16, 16, 3, 3}, rng));
  b.constant("wc", random_tensor({16, 16, 1, 1}, rng));
  b.constant("wy", random_tensor({16, 48, 3, 3}, rng));
  b.node("Conv", {"x", "w0"}, {"h_pre"});
  b.node("Sigmoid", {"h_pre"}, {"h"});
  auto pool = [&] {
    auto& p = b.node("AveragePool", {"h"}, {"p"});
    p.attributes["kernel_shape"] = attr_ints({3, 3});
    p.attributes["pads"] = attr_ints({1, 1, 1, 1});
  };
  if (!pool_last) pool();
  b.node("Conv", {"h", "wa"}, {"a"});
  b.node("Conv", {"h", "wb"}, {"bb"}).attributes["pads"] = attr_ints({1, 1, 1, 1});
  if (pool_last) pool();
  b.node("Conv", {"p", "wc"}, {"c"});
  b.node("Concat", {"a", "bb", "c"}, {"cat"}).attributes["axis"] = attr_int(1);
  b.node("Conv", {"cat", "wy"}, {"y"}).attributes["pads"] = attr_ints({1, 1, 1, 1});
  b.output("y");
  return b.build();
}

// At batch 1 and 2: values against the reference; whether a sum step is left. At 10x8 (batch 1,
// the checks' cost grows with the square of the size) the 3x3 convolutions are our Winograd
// ones (conv_winograd.cpp), adding to the pool's gradient; at 7x6 oneDNN's.
void check_shared_input(bool pool_last) {
  const Model model = shared_input_model(pool_last);
  std::vector<Shape> inputs = {{1, 16, 7, 6}, {2, 16, 7, 6}};
  if (pool_last) inputs.push_back({1, 16, 10, 8});
  for (const Shape& x : inputs) {
    SCOPED_TRACE("input " + to_string(x));
    Network net(model, {.input_shapes = {{"x", x}}, .outputs = {"y"}});
    expect_network_matches_reference(net, model, x);
    EXPECT_EQ(runs_op(net, "sum"), !pool_last)
        << (pool_last ? "no part should be left" : "the pool's part");
  }
}

TEST(GradientAccumulation, ConvolutionsAddToThePoolsGradient) {
  check_shared_input(true);
}

TEST(GradientAccumulation, PartOfAnotherOpIsSummedIn) {
  check_shared_input(false);
}

// h is also read by the objective: its gradient is fed first and every reader adds to it.
TEST(GradientAccumulation, TapGradientComesFirst) {
  const Model model = shared_input_model(true);
  Network net(model, {.outputs = {"y", "h"}});
  expect_network_matches_reference(net, model, {1, 16, 7, 6});  // h's gradient stays zero
  Network alone(model, {.outputs = {"y"}});
  expect_network_matches_reference(alone, model, {1, 16, 7, 6});
  // The same gradient, added up in another order.
  EXPECT_LE(relative_error(net.input_gradient(), alone.input_gradient()), 1e-5);

  // A gradient fed at h alone reaches x through h's producer only.
  net.forward();
  std::fill(net.output_gradient("y").values().begin(), net.output_gradient("y").values().end(),
            0.0f);
  std::fill(net.output_gradient("h").values().begin(), net.output_gradient("h").values().end(),
            1.0f);
  net.backward();
  const Tensor with_tap = net.input_gradient();
  std::fill(net.output_gradient("h").values().begin(), net.output_gradient("h").values().end(),
            0.0f);
  net.backward();
  for (float g : net.input_gradient().values()) ASSERT_EQ(g, 0.0f) << "nothing fed, nothing back";
  double total = 0;
  for (float g : with_tap.values()) total += std::fabs(g);
  EXPECT_GT(total, 0.0) << "the tap's own gradient must reach the input";
}

}  // namespace
}  // namespace neuroscope::testing
