// Lucid's redirected ReLU gradient (Network::redirect_relu_gradients), fused into a Conv and as
// a standalone Relu: for a flagged image whose ReLU lets nothing through, upward gradients pass;
// unflagged images, and flagged ones that get some gradient through, keep the plain gradient.
#include <gtest/gtest.h>

#include <cmath>

#include "neuroscope/network.h"
#include "ops/op_case.h"
#include "testing/graph_builder.h"

namespace neuroscope::testing {
namespace {

// x [2,2,5,5] -> Conv 1x1 (weights +1, bias -100: every output negative) -> Relu -> y.
Model dead_relu_model(bool fused_by_conv) {
  GraphBuilder b("dead_relu", 13);
  b.input("x", {2, 2, 5, 5});
  b.constant("w", Tensor({16, 2, 1, 1}, 1.0f)).constant("bias", Tensor({16}, -100.0f));
  b.node("Conv", {"x", "w", "bias"}, {"pre"});
  b.node("Relu", {"pre"}, {"y"});
  b.output("y");
  if (!fused_by_conv) b.output("pre");  // reading `pre` keeps the Relu a node of its own
  return b.build();
}

void check_redirect(bool fused) {
  const Model model = dead_relu_model(fused);
  std::vector<std::string> outputs = {"y"};
  if (!fused) outputs.emplace_back("pre");
  Network net(model, {.outputs = outputs});
  std::mt19937 rng(2);
  const Tensor x = random_tensor({2, 2, 5, 5}, rng);
  std::copy(x.values().begin(), x.values().end(), net.input().values().begin());
  net.forward();
  Tensor& dy = net.output_gradient("y");
  for (int64_t i = 0; i < dy.size(); ++i) dy[i] = i % 3 == 0 ? -1.0f : 1.0f;  // some push down

  net.backward();
  for (float g : net.input_gradient().values()) ASSERT_EQ(g, 0.0f) << "dead ReLU passes nothing";

  net.redirect_relu_gradients({1, 0});
  net.backward();
  const Tensor& dx = net.input_gradient();
  const int64_t per_image = int64_t{2} * 5 * 5;
  // Image 0: the upward part of dy passes; each input pixel sums 16 unit weights' gradients.
  for (int64_t i = 0; i < per_image; ++i) {
    double expected = 0;
    const int64_t pixel = i % 25;
    for (int64_t c = 0; c < 16; ++c) {
      const float g = dy[c * 25 + pixel];
      if (g > 0) expected += g;
    }
    EXPECT_FLOAT_EQ(dx[i], static_cast<float>(expected)) << "image 0, element " << i;
  }
  for (int64_t i = per_image; i < 2 * per_image; ++i)
    EXPECT_EQ(dx[i], 0.0f) << "image 1 is not flagged";
}

TEST(ReluRedirect, FusedIntoConv) {
  check_redirect(true);
}
TEST(ReluRedirect, StandaloneRelu) {
  check_redirect(false);
}

// A fused ReLU whose mask the following max pool, LRN or Concat applies (take_relu_mask) against
// the same network with the ReLU's output also requested (then a Relu node of its own, masking in
// its own backward), with and without redirected images. Image 0 is dead (all inputs negative),
// image 1 partly alive.
void check_mask_taken_by_consumer(const std::string& consumer) {
  auto build = [&](bool request_relu_output) {
    GraphBuilder b("relu_pool", 13);
    b.input("x", {2, 2, 6, 6});
    std::mt19937 rng(4);
    b.constant("w", random_tensor({16, 2, 3, 3}, rng, 0.1f, 1.0f));
    b.node("Conv", {"x", "w"}, {"pre"}).attributes["pads"] = attr_ints({1, 1, 1, 1});
    b.node("Relu", {"pre"}, {"r"});
    if (consumer == "Concat") {  // at batch 2: per-image run copies (concat.cpp)
      // The other member, also a fused ReLU, is dead everywhere (bias -100).
      b.constant("w2", random_tensor({16, 2, 1, 1}, rng)).constant("b2", Tensor({16}, -100.0f));
      b.node("Conv", {"x", "w2", "b2"}, {"other_pre"});
      b.node("Relu", {"other_pre"}, {"other"});
      b.node("Concat", {"r", "other"}, {"y"}).attributes["axis"] = attr_int(1);
      b.output("y");
      if (request_relu_output) b.output("r");
      return b.build();
    }
    auto& next = b.node(consumer, {"r"}, {"y"});
    if (consumer == "MaxPool") {
      next.attributes["kernel_shape"] = attr_ints({3, 3});
      next.attributes["strides"] = attr_ints({2, 2});
    } else {  // GoogLeNet's LRN
      next.attributes["size"] = attr_int(5);
      next.attributes["alpha"] = attr_float(0.5f);
      next.attributes["beta"] = attr_float(0.75f);
    }
    b.output("y");
    if (request_relu_output) b.output("r");
    return b.build();
  };
  const Model fused = build(false), separate = build(true);
  Network a(fused, {.outputs = {"y"}});
  Network b(separate, {.outputs = {"y", "r"}});
  std::mt19937 rng(5);
  Tensor x = random_tensor({2, 2, 6, 6}, rng);
  for (int64_t i = 0; i < 72; ++i) x[i] = -1.0f - std::fabs(x[i]);  // image 0: every output < 0
  const Tensor dy = random_tensor(a.output("y").shape(), rng);
  for (const std::vector<uint8_t>& flags : {std::vector<uint8_t>{0, 0}, {1, 0}, {1, 1}}) {
    std::vector<Tensor> gradients;
    for (Network* net : {&a, &b}) {
      std::copy(x.values().begin(), x.values().end(), net->input().values().begin());
      net->forward();
      std::copy(dy.values().begin(), dy.values().end(), net->output_gradient("y").values().begin());
      if (net == &b) net->output_gradient("r").fill(0.0f);
      net->redirect_relu_gradients(flags);
      net->backward();
      gradients.push_back(net->input_gradient());
    }
    for (int64_t i = 0; i < x.size(); ++i)
      ASSERT_NEAR(gradients[0][i], gradients[1][i], 1e-5)
          << "flags " << int(flags[0]) << int(flags[1]) << ", element " << i;
    double image0 = 0;
    for (int64_t i = 0; i < 72; ++i) image0 += std::fabs(gradients[0][i]);
    EXPECT_EQ(image0 > 0, flags[0] != 0) << "the dead image passes gradient only when redirected";
  }
}

TEST(ReluRedirect, MaskTakenByMaxPoolMatchesStandaloneRelu) {
  check_mask_taken_by_consumer("MaxPool");
}
TEST(ReluRedirect, MaskTakenByLrnMatchesStandaloneRelu) {
  check_mask_taken_by_consumer("LRN");
}
TEST(ReluRedirect, MaskTakenByConcatMatchesStandaloneRelu) {
  check_mask_taken_by_consumer("Concat");
}

TEST(ReluRedirect, LiveImagesKeepThePlainGradient) {
  GraphBuilder b("live_relu", 13);
  b.input("x", {1, 3, 4, 4});
  b.node("Relu", {"x"}, {"y"});
  b.output("y");
  const Model model = b.build();
  Network net(model, {.outputs = {"y"}});
  std::mt19937 rng(3);
  const Tensor x = away_from_zero({1, 3, 4, 4}, rng);
  std::copy(x.values().begin(), x.values().end(), net.input().values().begin());
  net.forward();
  net.output_gradient("y").fill(1.0f);
  net.redirect_relu_gradients({1});
  net.backward();
  for (int64_t i = 0; i < x.size(); ++i)
    EXPECT_EQ(net.input_gradient()[i], x[i] > 0 ? 1.0f : 0.0f)
        << "some gradient passes: no redirect";
}

}  // namespace
}  // namespace neuroscope::testing
