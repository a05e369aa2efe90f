// Max pooling on oneDNN's 16-channel blocked layout (after a 16-channel Conv), which neuroscope
// pools itself (src/ops/max_pool_blocked.cpp: winning taps kept forward, gathered backward),
// checked end to end: ceil mode with a clipped last window, and overlapping padded windows.
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

}  // namespace
}  // namespace neuroscope::testing
