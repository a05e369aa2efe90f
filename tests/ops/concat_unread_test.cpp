// Skipped branches (graph/prune_unread.cpp): with NetworkOptions::read_channels, the inputs of
// a Concat that feed none of the channels read are not computed. The channels read and the
// input gradient of an objective on them must equal those of the whole network; the other
// channels read zero; the skipped layers do not run, forward or backward.
#include <algorithm>
#include <functional>
#include <set>

#include "neuroscope/error.h"
#include "ops/network_check.h"
#include "testing/graph_builder.h"

namespace neuroscope::testing {
namespace {

// x -> {A: Conv 1x1 -> Sigmoid, B: Conv 3x3, C: AveragePool -> Conv 1x1} -> Concat -> cat,
// A: channels 0-15, B: 16-63, C: 64-79; and cat -> Conv -> y.
constexpr int64_t kChannels = 80;

Model three_branches(std::mt19937& rng) {
  GraphBuilder b("concat_unread", 13);
  b.input("x", {1, 16, 7, 6});
  b.constant("wa", random_tensor({16, 16, 1, 1}, rng));
  b.constant("wb", random_tensor({48, 16, 3, 3}, rng));
  b.constant("bb", random_tensor({48}, rng));
  b.constant("wc", random_tensor({16, 16, 1, 1}, rng));
  b.constant("wy", random_tensor({8, kChannels, 1, 1}, rng));
  b.node("Conv", {"x", "wa"}, {"a_pre"}).name = "conv_a";
  b.node("Sigmoid", {"a_pre"}, {"a"}).name = "sigmoid_a";
  auto& conv_b = b.node("Conv", {"x", "wb", "bb"}, {"b_pre"});
  conv_b.name = "conv_b";
  conv_b.attributes["pads"] = attr_ints({1, 1, 1, 1});
  b.node("Relu", {"b_pre"}, {"b"}).name = "relu_b";
  auto& pool = b.node("AveragePool", {"x"}, {"p"});
  pool.name = "pool_c";
  pool.attributes["kernel_shape"] = attr_ints({3, 3});
  pool.attributes["pads"] = attr_ints({1, 1, 1, 1});
  b.node("Conv", {"p", "wc"}, {"c"}).name = "conv_c";
  b.node("Concat", {"a", "b", "c"}, {"cat"}).attributes["axis"] = attr_int(1);
  b.node("Conv", {"cat", "wy"}, {"y"}).name = "conv_y";
  b.output("y");
  return b.build();
}

void expect_error_containing(const std::function<void()>& f, const std::string& part) {
  try {
    f();
    ADD_FAILURE() << "no error; expected one containing: " << part;
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(part), std::string::npos) << e.what();
  }
}

std::set<std::string> nodes_run(const Network& net, const std::string& pass) {
  std::set<std::string> labels;
  for (const ProfileRow& r : net.profile())
    if (r.pass == pass) labels.insert(r.label);
  return labels;
}

struct Pass {
  Tensor out, dx;
};

// Forward on x, backward from w on the channels read (zero elsewhere).
Pass run(Network& net, const Tensor& x, const Tensor& w, const std::vector<int64_t>& channels) {
  std::copy(x.values().begin(), x.values().end(), net.input("x").values().begin());
  net.forward();
  Tensor& g = net.output_gradient("cat");
  const Shape& s = g.shape();
  const int64_t positions = s[2] * s[3];
  std::fill(g.values().begin(), g.values().end(), 0.0f);  // the other channels' gradients
  for (int64_t n = 0; n < s[0]; ++n)
    for (int64_t c : channels)
      for (int64_t p = 0; p < positions; ++p) {
        const int64_t at = (n * s[1] + c) * positions + p;
        g[at] = w[at];
      }
  net.backward();
  return {net.output("cat"), net.input_gradient("x")};
}

// Reads `channels` of cat at batch `batch`: nodes `skipped` must not run, nodes `ran` must (conv_b
// cut to runs of 16 channels runs as "conv_b#BEGIN-END").
void expect_skips(int64_t batch, const std::vector<int64_t>& channels,
                  const std::set<std::string>& skipped, const std::set<std::string>& ran) {
  SCOPED_TRACE("batch " + std::to_string(batch) + ", channel " + std::to_string(channels[0]));
  std::mt19937 rng(11);
  const Model model = three_branches(rng);
  const Shape x_shape{batch, 16, 7, 6};
  Network whole(model, {.input_shapes = {{"x", x_shape}}, .outputs = {"cat"}});
  Network part(
      model,
      {.input_shapes = {{"x", x_shape}}, .outputs = {"cat"}, .read_channels = {{"cat", channels}}});
  part.set_profiling(true);
  const Tensor x = random_tensor(x_shape, rng);
  const Tensor w = random_tensor({batch, kChannels, 7, 6}, rng);
  const Pass expected = run(whole, x, w, channels);
  const Pass got = run(part, x, w, channels);

  const Shape& s = got.out.shape();
  ASSERT_EQ(s, expected.out.shape());
  const int64_t positions = s[2] * s[3];
  double worst = 0, scale = 0;
  for (int64_t n = 0; n < s[0]; ++n)
    for (int64_t c = 0; c < s[1]; ++c) {
      const bool computed = part.computes_channels("cat", {c});
      for (int64_t p = 0; p < positions; ++p) {
        const int64_t at = (n * s[1] + c) * positions + p;
        if (computed) {
          worst = std::max(worst, double(std::fabs(got.out[at] - expected.out[at])));
          scale = std::max(scale, double(std::fabs(expected.out[at])));
        } else {
          ASSERT_EQ(got.out[at], 0.0f) << "skipped channel " << c << " of image " << n;
        }
      }
    }
  EXPECT_LE(worst, 1e-6 * scale) << "channels computed";
  EXPECT_LE(relative_error(got.dx, expected.dx), 1e-6) << "input gradient";
  EXPECT_TRUE(part.computes_channels("cat", channels));
  EXPECT_EQ(part.computes_all_channels("cat"), skipped.empty());

  const std::set<std::string> forward = nodes_run(part, "forward");
  const std::set<std::string> backward = nodes_run(part, "backward");
  for (const std::string& node : skipped) {
    EXPECT_FALSE(forward.count(node)) << node << " ran forward";
    EXPECT_FALSE(backward.count(node)) << node << " ran backward";
  }
  for (const std::string& node : ran) {
    EXPECT_TRUE(forward.count(node)) << node << " did not run forward";
    EXPECT_TRUE(backward.count(node)) << node << " did not run backward";
  }
}

TEST(ConcatUnread, BatchOneSkipsWhatIsNotRead) {  // in place
  expect_skips(1, {3}, {"conv_b", "pool_c", "conv_c"}, {"conv_a"});
  expect_skips(1, {20, 31}, {"conv_a", "sigmoid_a", "conv_b", "pool_c", "conv_c"}, {"conv_b#0-16"});
  expect_skips(1, {0, 79}, {"conv_b"}, {"conv_a", "conv_c"});
  expect_skips(1, {1, 17, 40, 65}, {"conv_b"}, {"conv_a", "conv_b#0-32", "conv_c"});
}

TEST(ConcatUnread, BatchOfTwoSkipsWhatIsNotRead) {  // copied runs
  expect_skips(2, {70}, {"conv_a", "sigmoid_a", "conv_b"}, {"conv_c"});
  expect_skips(2, {15, 16, 60}, {"conv_b", "pool_c", "conv_c"},
               {"conv_a", "conv_b#0-16", "conv_b#32-48"});
}

// In bfloat16 plans the skipped branches' zeros join bf16 inputs: oneDNN's concat (batch 2,
// unblocked channel runs) needs them in bf16 too. Close to float32, and zero where skipped.
TEST(ConcatUnread, BFloat16ZerosJoinBFloat16Inputs) {
  if (std::string why = precision_unavailable_reason(Precision::kBFloat16); !why.empty())
    GTEST_SKIP() << "SKIPPED: " << why;
  std::mt19937 rng(14);
  const Model model = three_branches(rng);
  const Shape x_shape{2, 16, 7, 6};
  const std::vector<int64_t> channels = {15, 16, 60};
  Network whole(model, {.input_shapes = {{"x", x_shape}}, .outputs = {"cat"}});
  Network part(model, {.input_shapes = {{"x", x_shape}},
                       .outputs = {"cat"},
                       .precision = Precision::kBFloat16,
                       .read_channels = {{"cat", channels}}});
  const Tensor x = random_tensor(x_shape, rng);
  const Tensor w = random_tensor({2, kChannels, 7, 6}, rng);
  const Pass expected = run(whole, x, w, channels);
  const Pass got = run(part, x, w, channels);
  EXPECT_FALSE(part.computes_all_channels("cat"));
  EXPECT_EQ(got.out[(1 * kChannels + 70) * 42], 0.0f) << "a channel of the skipped branch";
  EXPECT_LE(relative_error(got.dx, expected.dx), 5e-2) << "input gradient, bf16 against f32";
}

TEST(ConcatUnread, EveryChannelBlockReadSkipsNothing) {
  expect_skips(1, {1, 17, 33, 63, 64}, {}, {"conv_a", "conv_b", "conv_c"});
}

TEST(ConcatUnread, ConcatReadByALayerIsComputedWhole) {
  std::mt19937 rng(12);
  const Model model = three_branches(rng);
  Network net(model, {.outputs = {"cat", "y"}, .read_channels = {{"cat", {3}}}});
  EXPECT_TRUE(net.computes_all_channels("cat"));
}

TEST(ConcatUnread, ChannelsOutsideTheTensorAreRejected) {
  std::mt19937 rng(13);
  const Model model = three_branches(rng);
  expect_error_containing(
      [&] {
        Network net(model, {.outputs = {"cat"}, .read_channels = {{"cat", {80}}}});
      },
      "channel 80 is out of range; 'cat' has 80 channels (0..79)");
  expect_error_containing(
      [&] {
        Network net(model, {.outputs = {"cat"}, .read_channels = {{"y", {0}}}});
      },
      "'y', which is not among the requested outputs");
}

}  // namespace
}  // namespace neuroscope::testing
