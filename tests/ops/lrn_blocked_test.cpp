// LRN on the channel-blocked layout (after a 32-channel Conv), which neuroscope computes itself
// (src/ops/lrn_blocked.cpp: 16-channel blocks on AVX-512 CPUs, 8 on AVX2 ones): windows that
// cross from one block into the next, at two window sizes, checked end to end.
#include "ops/network_check.h"
#include "testing/graph_builder.h"

namespace neuroscope::testing {
namespace {

Model conv_then_lrn(std::mt19937& rng, int64_t size, float alpha, float bias) {
  GraphBuilder b("lrn_blocked", 13);
  b.input("x", {2, 3, 6, 5});
  b.constant("w", random_tensor({32, 3, 3, 3}, rng));
  b.node("Conv", {"x", "w"}, {"c"}).attributes["pads"] = attr_ints({1, 1, 1, 1});
  auto& lrn = b.node("LRN", {"c"}, {"y"});
  lrn.attributes["size"] = attr_int(size);
  lrn.attributes["alpha"] = attr_float(alpha);
  lrn.attributes["beta"] = attr_float(0.75f);
  lrn.attributes["bias"] = attr_float(bias);
  b.output("y");
  return b.build();
}

TEST(LrnBlocked, GoogLeNetWindowAcrossBlocks) {
  std::mt19937 rng(31);
  const Model model = conv_then_lrn(rng, 5, 0.5f, 1.0f);
  Network net(model, {.outputs = {"y"}});
  expect_network_matches_reference(net, model, {2, 3, 6, 5});
}

TEST(LrnBlocked, NarrowWindowAndBias) {
  std::mt19937 rng(32);
  const Model model = conv_then_lrn(rng, 3, 0.9f, 2.0f);
  Network net(model, {.outputs = {"y"}});
  expect_network_matches_reference(net, model, {2, 3, 6, 5});
}

// Radius 4: the widest window the AVX2 kernels shift in from the neighbouring 8-channel blocks.
TEST(LrnBlocked, WindowOfNine) {
  std::mt19937 rng(33);
  const Model model = conv_then_lrn(rng, 9, 0.7f, 1.5f);
  Network net(model, {.outputs = {"y"}});
  expect_network_matches_reference(net, model, {2, 3, 6, 5});
}

// MaxPool then LRN, and LRN then MaxPool, as in GoogLeNet's stem, at batch 3: the blocked
// kernels handing each other their layouts (and the ReLU-free path), forward and backward.
Model conv_pool_lrn(std::mt19937& rng, bool pool_first) {
  GraphBuilder b("pool_lrn", 13);
  b.input("x", {3, 3, 9, 8});
  b.constant("w", random_tensor({32, 3, 3, 3}, rng));
  b.node("Conv", {"x", "w"}, {"c"}).attributes["pads"] = attr_ints({1, 1, 1, 1});
  auto pool = [&](const std::string& in, const std::string& out) {
    auto& p = b.node("MaxPool", {in}, {out});
    p.attributes["kernel_shape"] = attr_ints({3, 3});
    p.attributes["strides"] = attr_ints({2, 2});
  };
  auto lrn = [&](const std::string& in, const std::string& out) {
    auto& l = b.node("LRN", {in}, {out});
    l.attributes["size"] = attr_int(5);
    l.attributes["alpha"] = attr_float(0.5f);
    l.attributes["beta"] = attr_float(0.75f);
  };
  if (pool_first) {
    pool("c", "m");
    lrn("m", "y");
  } else {
    lrn("c", "m");
    pool("m", "y");
  }
  b.output("y");
  return b.build();
}

TEST(LrnBlocked, AfterMaxPoolBatchOfThree) {
  std::mt19937 rng(33);
  const Model model = conv_pool_lrn(rng, true);
  Network net(model, {.outputs = {"y"}});
  expect_network_matches_reference(net, model, {3, 3, 9, 8});
}

TEST(LrnBlocked, BeforeMaxPoolBatchOfThree) {
  std::mt19937 rng(34);
  const Model model = conv_pool_lrn(rng, false);
  Network net(model, {.outputs = {"y"}});
  expect_network_matches_reference(net, model, {3, 3, 9, 8});
}

}  // namespace
}  // namespace neuroscope::testing
