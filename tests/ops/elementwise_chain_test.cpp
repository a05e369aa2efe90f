// The element-wise ops between Convs with 16 channels, where oneDNN picks blocked layouts: the
// same-shape binary path reorders its second input (and gradient) between layouts, BN runs on a
// blocked tensor, and the plain-layout ops read and write through reorders.
#include "ops/network_check.h"
#include "testing/graph_builder.h"

namespace neuroscope::testing {
namespace {

Model chain_model(std::mt19937& rng) {
  GraphBuilder b("elementwise_chain", 13);
  b.input("x", {2, 3, 6, 5});
  for (const char* w : {"wa", "wb"}) b.constant(w, random_tensor({16, 3, 3, 3}, rng));
  b.constant("scale", random_tensor({16}, rng)).constant("shift", random_tensor({16}, rng));
  b.constant("mean", random_tensor({16}, rng)).constant("var", random_tensor({16}, rng, 0.5f, 2));
  b.constant("half", Tensor({}, {0.5f}));
  b.constant("slope", random_tensor({16, 1, 1}, rng));
  b.constant("bias", random_tensor({16, 1, 1}, rng));
  b.node("Conv", {"x", "wa"}, {"ca"}).attributes["pads"] = attr_ints({1, 1, 1, 1});
  b.node("Conv", {"x", "wb"}, {"cb"}).attributes["pads"] = attr_ints({1, 1, 1, 1});
  b.node("Add", {"ca", "cb"}, {"sum"});  // same shape, both blocked
  b.node("BatchNormalization", {"sum", "scale", "shift", "mean", "var"}, {"bn"});
  b.node("Sigmoid", {"bn"}, {"gate"});
  b.node("Mul", {"gate", "ca"}, {"gated"});
  b.node("Sub", {"gated", "cb"}, {"diff"});
  b.node("Sigmoid", {"cb"}, {"sig_b"});
  b.node("Add", {"sig_b", "half"}, {"divisor"});  // plain loops; in [0.5, 1.5]
  b.node("Div", {"diff", "divisor"}, {"ratio"});  // blocked / plain
  b.node("PRelu", {"ratio", "slope"}, {"prelu"});
  b.node("Tanh", {"prelu"}, {"tanh"});
  b.node("Add", {"tanh", "bias"}, {"h"});
  b.node("Mul", {"h", "h"}, {"y"});  // one tensor as both inputs: two gradient contributions
  b.output("y");
  return b.build();
}

TEST(ElementwiseChain, BlockedLayoutsMatchReference) {
  std::mt19937 rng(11);
  const Model model = chain_model(rng);
  Network net(model, {.outputs = {"y"}, .gradients = true});
  expect_network_matches_reference(net, model, {2, 3, 6, 5});
  EXPECT_TRUE(runs_op(net, "BatchNormalization"));
}

}  // namespace
}  // namespace neuroscope::testing
