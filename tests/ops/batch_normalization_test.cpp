#include "ops/network_check.h"
#include "ops/op_case.h"
#include "testing/graph_builder.h"

namespace neuroscope::testing {
namespace {

struct BnParams {
  Tensor scale, bias, mean, var;
};

BnParams random_params(int64_t channels, std::mt19937& rng) {
  return {random_tensor({channels}, rng, -1.5f, 1.5f), random_tensor({channels}, rng),
          random_tensor({channels}, rng), random_tensor({channels}, rng, 0.3f, 2.0f)};
}

}  // namespace

NS_OP_CASES(BatchNormalization) {
  std::vector<OpCase> cases;
  auto add = [&](std::string label, Shape x, int64_t opset,
                 std::map<std::string, graph::Attribute, std::less<>> attrs = {}) {
    const BnParams p = random_params(x[1], rng);
    cases.push_back(
        {.label = "BatchNormalization/" + label,
         .attributes = std::move(attrs),
         .inputs = {data("x", random_tensor(x, rng, -2, 2)), weights("scale", p.scale),
                    weights("bias", p.bias), weights("mean", p.mean), weights("var", p.var)},
         .opset = opset});
  };
  add("4d", {2, 3, 4, 5}, 13);
  add("4d_epsilon0.1_opset9", {2, 5, 3, 3}, 9, {{"epsilon", attr_float(0.1f)}});
  add("2d", {4, 6}, 15);
  add("3d", {2, 4, 7}, 14);
  add("5d", {1, 3, 2, 3, 4}, 13);
  add("4d_16_channels", {1, 16, 5, 5}, 13);  // blocked layouts
  return cases;
}

namespace {

// x -> Conv -> BatchNormalization [-> Relu] -> y, with the Conv's output named "conv".
Model conv_bn_model(bool relu, std::mt19937& rng) {
  GraphBuilder b("conv_bn", 13);
  b.input("x", {2, 3, 8, 7});
  b.constant("w", random_tensor({4, 3, 3, 3}, rng));
  b.constant("b", random_tensor({4}, rng));
  const BnParams p = random_params(4, rng);
  b.constant("scale", p.scale)
      .constant("bias", p.bias)
      .constant("mean", p.mean)
      .constant("var", p.var);
  b.node("Conv", {"x", "w", "b"}, {"conv"}).attributes["pads"] = attr_ints({1, 1, 1, 1});
  b.node("BatchNormalization", {"conv", "scale", "bias", "mean", "var"}, {relu ? "bn" : "y"})
      .attributes["epsilon"] = attr_float(1e-3f);
  if (relu) b.node("Relu", {"bn"}, {"y"});
  b.output("y");
  return b.build();
}

// The Conv -> BN [-> Relu] model computing `outputs`, checked against the reference; whether
// BN and Relu still run as ops of their own tells whether the passes folded and fused them.
void expect_matches_reference(const Model& model, const std::vector<std::string>& outputs,
                              bool bn_runs, bool relu_runs) {
  Network net(model, {.outputs = outputs, .gradients = true});
  expect_network_matches_reference(net, model, {2, 3, 8, 7});
  EXPECT_EQ(runs_op(net, "BatchNormalization"), bn_runs);
  EXPECT_EQ(runs_op(net, "Relu"), relu_runs);
}

TEST(FoldBatchnorm, FoldedConvMatchesUnfoldedReference) {
  std::mt19937 rng(3);
  expect_matches_reference(conv_bn_model(false, rng), {"y"}, false, false);
}

TEST(FoldBatchnorm, FoldedConvWithFusedReluMatchesReference) {
  std::mt19937 rng(4);
  expect_matches_reference(conv_bn_model(true, rng), {"y"}, false, false);
}

TEST(FoldBatchnorm, KeptConvOutputLeavesStandaloneBatchnorm) {
  std::mt19937 rng(5);
  // Reading the Conv's output forbids the fold: BN and Relu then run as ops of their own.
  expect_matches_reference(conv_bn_model(true, rng), {"conv", "y"}, true, true);
}

}  // namespace
}  // namespace neuroscope::testing
