// In-place Concat (src/exec/in_place_concat.cpp): with batch 1, producers write straight into
// the Concat's output and read their gradients from its gradient. Checked end to end against
// the float64 reference, and through the profile: no Concat copy runs when every input fits.
#include <algorithm>

#include "ops/network_check.h"
#include "testing/graph_builder.h"

namespace neuroscope::testing {
namespace {

// x -> {ConvA -> Sigmoid, ConvB, AveragePool -> ConvC} -> Concat -> Conv -> y: an inception
// module with smooth activations, so finite differences never straddle a kink (GoogLeNet's
// ReLU/MaxPool version is covered by tests/test_googlenet.cpp). 4 channels in branch B break
// the channel blocks (8 with AVX2, 16 with AVX-512): B is then copied.
Model inception_like(std::mt19937& rng, int64_t b_channels, bool plain_branch) {
  GraphBuilder b("concat_in_place", 13);
  b.input("x", {1, 16, 7, 6});
  b.constant("wa", random_tensor({16, 16, 1, 1}, rng));
  b.constant("wb", random_tensor({b_channels, 16, 3, 3}, rng));
  b.constant("wc", random_tensor({16, 16, 1, 1}, rng));
  b.constant("wy", random_tensor({16, 32 + b_channels, 3, 3}, rng));
  b.node("Conv", {"x", "wa"}, {"a_pre"});
  b.node("Sigmoid", {"a_pre"}, {"a"});
  b.node("Conv", {"x", "wb"}, {"b"}).attributes["pads"] = attr_ints({1, 1, 1, 1});
  auto& pool = b.node("AveragePool", {"x"}, {"p"});
  pool.attributes["kernel_shape"] = attr_ints({3, 3});
  pool.attributes["pads"] = attr_ints({1, 1, 1, 1});
  b.node("Conv", {"p", "wc"}, {"c"});
  std::string third = "c";
  if (plain_branch) {  // a plain-layout producer (a transposed-and-back tensor)
    b.node("Transpose", {"c"}, {"ct"}).attributes["perm"] = attr_ints({0, 1, 3, 2});
    b.node("Transpose", {"ct"}, {"c2"}).attributes["perm"] = attr_ints({0, 1, 3, 2});
    third = "c2";
  }
  b.node("Concat", {"a", "b", third}, {"cat"}).attributes["axis"] = attr_int(1);
  b.node("Conv", {"cat", "wy"}, {"y"}).attributes["pads"] = attr_ints({1, 1, 1, 1});
  b.output("y");
  return b.build();
}

bool copies_concat(const Network& net) {
  const auto rows = net.profile();
  return std::any_of(rows.begin(), rows.end(), [](const ProfileRow& r) {
    return r.op == "Concat" || (r.op == "reorder" && r.label == "cat");
  });
}

TEST(ConcatInPlace, AlignedBranchesNeedNoCopy) {
  std::mt19937 rng(3);
  const Model model = inception_like(rng, 16, false);
  Network net(model, {.outputs = {"y"}});
  expect_network_matches_reference(net, model, {1, 16, 7, 6});
  EXPECT_FALSE(copies_concat(net)) << "every branch should write into the Concat's buffer";
}

TEST(ConcatInPlace, MisalignedBranchFallsBackToCopies) {
  std::mt19937 rng(4);
  const Model model = inception_like(rng, 4, false);
  Network net(model, {.outputs = {"y"}});
  expect_network_matches_reference(net, model, {1, 16, 7, 6});
  EXPECT_TRUE(runs_op(net, "Concat"));
}

TEST(ConcatInPlace, BranchInAnotherLayoutIsCopied) {
  std::mt19937 rng(5);
  const Model model = inception_like(rng, 16, true);
  Network net(model, {.outputs = {"y"}});
  expect_network_matches_reference(net, model, {1, 16, 7, 6});
}

// At batch 2 nothing is in place: blocks aligned, Concat copies whole per-image runs
// (concat.cpp's compile_by_copies); misaligned, it is oneDNN's concat.
TEST(ConcatInPlace, BatchOfTwoCopiesRuns) {
  std::mt19937 rng(6);
  const Model model = inception_like(rng, 16, false);
  Network net(model, {.input_shapes = {{"x", {2, 16, 7, 6}}}, .outputs = {"y"}});
  expect_network_matches_reference(net, model, {2, 16, 7, 6});
  EXPECT_TRUE(runs_op(net, "Concat"));
}

// Read by the objective alone (the network's output), at batch 2 the Concat transposes its
// blocks straight into the output tensor and its gradient straight out of the objective's:
// no reorder reads the output out or feeds its gradient in.
TEST(ConcatInPlace, BatchOfTwoOutputWrittenIntoTheObjectivesTensor) {
  std::mt19937 rng(8);
  GraphBuilder b("concat_output", 13);
  b.input("x", {2, 16, 7, 6});
  b.constant("wa", random_tensor({16, 16, 1, 1}, rng));
  b.constant("wb", random_tensor({32, 16, 3, 3}, rng));
  b.node("Conv", {"x", "wa"}, {"a_pre"});
  b.node("Sigmoid", {"a_pre"}, {"a"});
  b.node("Conv", {"x", "wb"}, {"b"}).attributes["pads"] = attr_ints({1, 1, 1, 1});
  b.node("Concat", {"a", "b"}, {"y"}).attributes["axis"] = attr_int(1);
  b.output("y");
  const Model model = b.build();
  Network net(model, {.input_shapes = {{"x", {2, 16, 7, 6}}}, .outputs = {"y"}});
  expect_network_matches_reference(net, model, {2, 16, 7, 6});
  EXPECT_TRUE(runs_op(net, "Concat"));
  for (const ProfileRow& r : net.profile())
    EXPECT_FALSE(r.op == "reorder" && r.label == "y") << r.pass << " copies the output";
}

TEST(ConcatInPlace, BatchOfTwoMisalignedUsesTheConcatPrimitive) {
  std::mt19937 rng(7);
  const Model model = inception_like(rng, 4, false);
  Network net(model, {.input_shapes = {{"x", {2, 16, 7, 6}}}, .outputs = {"y"}});
  expect_network_matches_reference(net, model, {2, 16, 7, 6});
  EXPECT_TRUE(runs_op(net, "Concat"));
}

}  // namespace
}  // namespace neuroscope::testing
