// Max pooling on oneDNN's 16- or 8-channel blocked layout (after a 16-channel Conv), which
// neuroscope pools itself (src/ops/max_pool_blocked.cpp: winning taps kept forward, gathered
// backward), checked end to end: ceil mode with a clipped last window, overlapping padded windows,
// and the 3-wide windows' own backward rows at every edge.
#include "ops/network_check.h"
#include "testing/graph_builder.h"

namespace neuroscope::testing {
namespace {

TEST(MaxPoolBlocked, CeilModeStride2AndOverlappingStride1) {
  std::mt19937 rng(21);
  GraphBuilder b("max_pool_blocked", 13);
  b.input("x", {2, 3, 9, 8});
  b.constant("w", random_tensor({16, 3, 3, 3}, rng));
  b.constant("w2", random_tensor({16, 16, 1, 1}, rng));
  b.node("Conv", {"x", "w"}, {"c"}).attributes["pads"] = attr_ints({1, 1, 1, 1});
  auto& p1 = b.node("MaxPool", {"c"}, {"p1"});
  p1.attributes["kernel_shape"] = attr_ints({3, 3});
  p1.attributes["strides"] = attr_ints({2, 2});
  p1.attributes["ceil_mode"] = attr_int(1);
  b.node("Conv", {"p1", "w2"}, {"c2"});
  auto& p2 = b.node("MaxPool", {"c2"}, {"y"});
  p2.attributes["kernel_shape"] = attr_ints({3, 3});
  p2.attributes["pads"] = attr_ints({1, 1, 1, 1});
  b.output("y");
  const Model model = b.build();
  Network net(model, {.outputs = {"y"}});
  expect_network_matches_reference(net, model, {2, 3, 9, 8});
}

// Windows 3 wide (max_pool_blocked_kernels.inc's backward_row_3wide) with column strides 1 and 2
// and every edge: pads on one side, a clipped last window (ceil mode), input rows and columns no
// window covers, one-row windows.
TEST(MaxPoolBlocked, ThreeWideWindowsAtEveryEdge) {
  struct Pool {
    std::vector<int64_t> kernel, strides, pads;
    bool ceil = false;
    Shape input;
  };
  const std::vector<Pool> pools = {
      {{3, 3}, {2, 2}, {0, 1, 1, 0}, false, {1, 3, 11, 12}},
      {{1, 3}, {2, 1}, {0, 1, 0, 1}, false, {2, 3, 9, 10}},
      {{2, 3}, {1, 2}, {0, 0, 0, 0}, true, {1, 3, 8, 13}},
      {{3, 3}, {1, 1}, {0, 0, 0, 0}, false, {1, 3, 7, 9}},
      {{3, 3}, {2, 2}, {0, 0, 0, 0}, false, {1, 3, 9, 12}},  // the last column uncovered
  };
  std::mt19937 rng(23);
  for (const Pool& pool : pools) {
    SCOPED_TRACE(::testing::Message() << "kernel " << pool.kernel[0] << "x" << pool.kernel[1]
                                      << ", strides " << pool.strides[0] << "x" << pool.strides[1]);
    GraphBuilder b("max_pool_three_wide", 13);
    b.input("x", pool.input);
    b.constant("w", random_tensor({16, 3, 3, 3}, rng));
    b.node("Conv", {"x", "w"}, {"c"}).attributes["pads"] = attr_ints({1, 1, 1, 1});
    auto& p = b.node("MaxPool", {"c"}, {"y"});
    p.attributes["kernel_shape"] = attr_ints(pool.kernel);
    p.attributes["strides"] = attr_ints(pool.strides);
    p.attributes["pads"] = attr_ints(pool.pads);
    if (pool.ceil) p.attributes["ceil_mode"] = attr_int(1);
    b.output("y");
    const Model model = b.build();
    Network net(model, {.outputs = {"y"}});
    // A first pass leaves gradients in every buffer: inputs that no window covers must get
    // their zero written, not find it there.
    std::uniform_real_distribution<float> value(-1.0f, 1.0f);
    for (float& v : net.input("x").values()) v = value(rng);
    net.forward();
    std::fill(net.output_gradient("y").values().begin(), net.output_gradient("y").values().end(),
              1.0f);
    net.backward();
    expect_network_matches_reference(net, model, pool.input);
  }
}

}  // namespace
}  // namespace neuroscope::testing
