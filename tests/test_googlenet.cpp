// The real ImageNet GoogLeNet (../shared/models/googlenet) against Caffe's own activations.
#include <algorithm>
#include <cmath>
#include <random>

#include <oneapi/dnnl/dnnl.hpp>

#include "neuroscope/model.h"
#include "neuroscope/network.h"
#include "neuroscope/npy.h"
#include "neuroscope/objective.h"
#include "testing/ref_network.h"
#include "testing/testing.h"

namespace neuroscope {
namespace {

using testing::googlenet_dir;
using testing::relative_error;

// Every tensor the references hold within 1e-4, and the top class.
void expect_forward_matches_caffe(Precision precision) {
  NS_REQUIRE_SHARED(googlenet_dir());
  if (std::string why = precision_unavailable_reason(precision); !why.empty())
    GTEST_SKIP() << "SKIPPED: " << why;
  const auto ref = googlenet_dir() / "reference";
  Model model = Model::load(googlenet_dir() / "googlenet-bvlc.onnx");
  const Tensor data = read_npy(ref / "data.npy");
  Network net(model, {.input_shapes = {{"data", data.shape()}},
                      .outputs = {"conv1/7x7_s2", "inception_3b/output", "inception_4d/output",
                                  "loss3/classifier", "prob"},
                      .gradients = false,
                      .precision = precision});
  std::copy(data.values().begin(), data.values().end(), net.input().values().begin());
  net.forward();
  for (const char* tensor :
       {"conv1/7x7_s2", "inception_3b/output", "inception_4d/output", "loss3/classifier", "prob"}) {
    std::string file = tensor;
    std::replace(file.begin(), file.end(), '/', '_');
    EXPECT_LE(relative_error(net.output(tensor), read_npy(ref / (file + ".npy"))), 1e-4) << tensor;
  }
  const Tensor& prob = net.output("prob");
  const auto top =
      std::max_element(prob.values().begin(), prob.values().end()) - prob.values().begin();
  EXPECT_EQ(top, 967) << "top-1 should be espresso";
}

TEST(GoogLeNet, ForwardMatchesCaffeReference) {
  expect_forward_matches_caffe(Precision::kFloat32);
}

// At 224x224 conv2/3x3 runs by Winograd.
TEST(GoogLeNet, WinogradForwardMatchesCaffeReference) {
  expect_forward_matches_caffe(Precision::kFloat32Winograd);
}

}  // namespace
}  // namespace neuroscope

namespace neuroscope {
namespace {

// Float32 convolutions give an image the same bits alone or in a batch of 8 (oneDNN's blocking
// does not depend on the batch here; our Winograd ones compute each tile alike in any block of
// tiles, and which layers use them depends on the image size only), so a channel's picture does
// not depend on the batch it was rendered in: values and input gradients of images 0 and 7
// compared exactly.
TEST(GoogLeNet, Float32IsBitwiseTheSameAtAnyBatch) {
  NS_REQUIRE_SHARED(googlenet_dir());
  Model model = Model::load(googlenet_dir() / "googlenet-bvlc.onnx");
  const std::string layer = "inception_4d/output";
  auto network = [&](int64_t batch) {
    return Network(model, {.input_shapes = {{"data", {batch, 3, 224, 224}}}, .outputs = {layer}});
  };
  Network batched = network(8), alone = network(1);
  std::mt19937 rng(5);
  std::uniform_real_distribution<float> pixel(-100.0f, 130.0f);
  for (float& v : batched.input().values()) v = pixel(rng);
  // The gradient fed is the output itself (the total square activity's, halved).
  auto run = [&](Network& net) {
    net.forward();
    const Tensor& y = net.output(layer);
    std::copy(y.values().begin(), y.values().end(), net.output_gradient(layer).values().begin());
    net.backward();
  };
  run(batched);
  const int64_t per_image = alone.input().size(), outputs = alone.output(layer).size();
  for (int64_t image : {0, 7}) {
    std::copy_n(batched.input().data() + image * per_image, per_image, alone.input().data());
    run(alone);
    EXPECT_TRUE(std::equal(alone.output(layer).values().begin(), alone.output(layer).values().end(),
                           batched.output(layer).values().begin() + image * outputs))
        << "image " << image << ": values";
    EXPECT_TRUE(std::equal(alone.input_gradient().values().begin(),
                           alone.input_gradient().values().end(),
                           batched.input_gradient().values().begin() + image * per_image))
        << "image " << image << ": input gradient";
  }
}

// An objective reading a few channels of an inception module's output (NetworkOptions::
// read_channels) skips the module's other branches: fewer FLOPs, and the same objective values
// and input gradient as the whole network (the skipped branches' contributions are zeros).
TEST(GoogLeNet, SkippedBranchesChangeNothingTheObjectiveReads) {
  NS_REQUIRE_SHARED(googlenet_dir());
  Model model = Model::load(googlenet_dir() / "googlenet-bvlc.onnx");
  struct Case {
    std::string layer;
    std::vector<int64_t> channels;  // one per image
    double flops_left;              // at most this share of the whole network's FLOPs
  };
  // 3b: only the 1x1 branch is left; 4d: the 5x5 and pool branches go (small at 14x14).
  for (const Case& c :
       {Case{"inception_3b/output", {5}, 0.8}, Case{"inception_4d/output", {97, 140}, 0.99}}) {
    SCOPED_TRACE(c.layer);
    const auto batch = static_cast<int64_t>(c.channels.size());
    Objective objective;
    for (int64_t i = 0; i < batch; ++i)
      objective = objective + Objective::channel(c.layer, c.channels[static_cast<size_t>(i)], i);
    const NetworkOptions options{.input_shapes = {{"data", {batch, 3, 224, 224}}},
                                 .outputs = {c.layer}};
    NetworkOptions pruned_options = options;
    pruned_options.read_channels = objective.channels_read();
    Network whole(model, options), pruned(model, pruned_options);
    EXPECT_LT(pruned.forward_flops(), c.flops_left * whole.forward_flops());
    EXPECT_LT(pruned.backward_flops(), c.flops_left * whole.backward_flops());
    EXPECT_FALSE(pruned.computes_all_channels(c.layer));

    std::mt19937 rng(9);
    std::uniform_real_distribution<float> pixel(-100.0f, 130.0f);
    for (float& v : whole.input().values()) v = pixel(rng);
    std::copy(whole.input().values().begin(), whole.input().values().end(),
              pruned.input().values().begin());
    auto run = [&](Network& net) {
      BoundObjective bound(
          objective, [&](const std::string& n) -> const Tensor& { return net.output(n); },
          [&](const std::string& n) -> Tensor& { return net.output_gradient(n); });
      net.forward();
      const std::vector<double> values = bound.evaluate();
      net.backward();
      return values;
    };
    const std::vector<double> expected = run(whole), got = run(pruned);
    for (size_t i = 0; i < expected.size(); ++i)
      EXPECT_NEAR(got[i], expected[i], 1e-6 * std::abs(expected[i])) << "image " << i;
    EXPECT_LE(relative_error(pruned.input_gradient(), whole.input_gradient()), 1e-6);

    // A channel's picture does not depend on the batch it is rendered in: the last image alone,
    // with only its own channel read, gets the same bits.
    const int64_t last = batch - 1;
    const Objective alone_objective =
        Objective::channel(c.layer, c.channels[static_cast<size_t>(last)]);
    Network alone(model, {.input_shapes = {{"data", {1, 3, 224, 224}}},
                          .outputs = {c.layer},
                          .read_channels = alone_objective.channels_read()});
    const int64_t per_image = alone.input().size();
    std::copy_n(pruned.input().data() + last * per_image, per_image, alone.input().data());
    BoundObjective bound(
        alone_objective, [&](const std::string& n) -> const Tensor& { return alone.output(n); },
        [&](const std::string& n) -> Tensor& { return alone.output_gradient(n); });
    alone.forward();
    EXPECT_EQ(bound.evaluate()[0], got[static_cast<size_t>(last)]);
    alone.backward();
    EXPECT_TRUE(std::equal(alone.input_gradient().values().begin(),
                           alone.input_gradient().values().end(),
                           pruned.input_gradient().values().begin() + last * per_image))
        << "input gradient of the last image alone";
  }
}

// The input gradient of the reference objective (total square activity of channel 97 of
// inception_4d/output) against central differences along random directions, computed in
// float64 with the reference implementations (so rounding does not swamp the differences).
// A 64x64 input keeps the naive float64 network fast enough.
TEST(GoogLeNet, InputGradientMatchesFiniteDifferences) {
  NS_REQUIRE_SHARED(testing::googlenet_dir());
  Model model = Model::load(testing::googlenet_dir() / "googlenet-bvlc.onnx");
  const std::string layer = "inception_4d/output";
  const int64_t channel = 97;
  const Shape shape = {1, 3, 64, 64};
  Network net(model, {.input_shapes = {{"data", shape}}, .outputs = {layer}});
  std::mt19937 rng(5);
  std::uniform_real_distribution<float> pixel(-60.0f, 60.0f);
  Tensor x({1, 3, 64, 64});
  for (float& v : x.values()) v = pixel(rng);
  std::copy(x.values().begin(), x.values().end(), net.input().values().begin());
  BoundObjective objective(
      Objective::channel(layer, channel),
      [&](const std::string& n) -> const Tensor& { return net.output(n); },
      [&](const std::string& n) -> Tensor& { return net.output_gradient(n); });
  net.forward();
  objective.evaluate();
  net.backward();
  const Tensor& gradient = net.input_gradient();

  testing::ReferenceNetwork reference(model, {{"data", shape}}, {layer});
  auto reference_objective = [&](const ref::RefTensor& input) {
    const ref::RefTensor act = reference.run({{"data", input}}).at(layer);
    const int64_t positions = act.shape[2] * act.shape[3];
    double sum = 0;
    for (int64_t i = 0; i < positions; ++i) {
      const double a = act.v[static_cast<size_t>(channel * positions + i)];
      sum += a * a;
    }
    return sum;
  };
  const ref::RefTensor x64 = ref::from_tensor(x);
  EXPECT_NEAR(objective.total(), reference_objective(x64), 1e-4 * objective.total());

  testing::expect_directional_derivatives(reference_objective, x64, gradient, rng, 1e-4);
}

}  // namespace
}  // namespace neuroscope

namespace neuroscope {
namespace {

// bfloat16 precision: the same network within bfloat16's ~3 significant digits.
TEST(GoogLeNet, BFloat16StaysCloseToFloat32) {
  NS_REQUIRE_SHARED(testing::googlenet_dir());
  const dnnl::cpu_isa isa = dnnl::get_effective_cpu_isa();
  if (isa != dnnl::cpu_isa::avx512_core_bf16 && isa != dnnl::cpu_isa::avx512_core_amx)
    GTEST_SKIP() << "SKIPPED: this CPU has no AVX512-BF16/AMX";
  Model model = Model::load(testing::googlenet_dir() / "googlenet-bvlc.onnx");
  const Tensor data = read_npy(testing::googlenet_dir() / "reference" / "data.npy");
  const std::string layer = "inception_4d/output";
  std::vector<Tensor> values, gradients;
  for (Precision p : {Precision::kFloat32, Precision::kBFloat16}) {
    Network net(model,
                {.input_shapes = {{"data", data.shape()}}, .outputs = {layer}, .precision = p});
    std::copy(data.values().begin(), data.values().end(), net.input().values().begin());
    BoundObjective objective(
        Objective::channel(layer, 97),
        [&](const std::string& n) -> const Tensor& { return net.output(n); },
        [&](const std::string& n) -> Tensor& { return net.output_gradient(n); });
    net.forward();
    objective.evaluate();
    net.backward();
    values.push_back(net.output(layer));
    gradients.push_back(net.input_gradient());
  }
  EXPECT_LE(testing::relative_error(values[1], values[0]), 3e-2);
  double dot = 0, a = 0, b = 0;
  for (int64_t i = 0; i < gradients[0].size(); ++i) {
    dot += static_cast<double>(gradients[0][i]) * gradients[1][i];
    a += static_cast<double>(gradients[0][i]) * gradients[0][i];
    b += static_cast<double>(gradients[1][i]) * gradients[1][i];
  }
  // Rounding through 50 bfloat16 layers turns the gradient by some degrees (cosine 0.90 on this
  // photo, 0.99 on noise); a wrong layout or a lost term would leave it near 0.
  EXPECT_GE(dot / std::sqrt(a * b), 0.85) << "cosine of the bf16 and fp32 input gradients";
}

}  // namespace
}  // namespace neuroscope
