// Max pooling on oneDNN's 16- or 8-channel blocked layout (after a 16-channel Conv), which
// neuroscope pools itself (src/ops/max_pool_blocked.cpp: winning taps kept forward, gathered
// backward), checked end to end: ceil mode with a clipped last window, overlapping padded windows,
// the 3-wide windows' own rows at every edge, and ties and NaNs exactly as the portable loops.
#include <cmath>
#include <cstdlib>
#include <limits>
#include <optional>
#include <string>

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

// The SIMD rows and the portable loops agree exactly where the order of comparison matters: ties
// (the first maximum in scan order wins, and takes the gradient) and NaNs (one wins only as a
// window's first tap). An identity 1x1 convolution puts planted values into the blocked layout.
TEST(MaxPoolBlocked, TiesAndNaNsAsThePortableLoops) {
  constexpr int64_t kChannels = 16;
  std::vector<float> identity(kChannels * kChannels, 0.0f);
  for (int64_t c = 0; c < kChannels; ++c) identity[static_cast<size_t>(c * kChannels + c)] = 1.0f;
  struct Pool {
    std::vector<int64_t> strides, pads;
  };
  for (const Pool& pool : {Pool{{1, 1}, {1, 1, 1, 1}}, Pool{{2, 2}, {0, 0, 1, 1}}}) {
    GraphBuilder b("max_pool_ties", 13);
    const Shape shape = {1, kChannels, 9, 12};
    b.input("x", shape);
    b.constant("w", Tensor({kChannels, kChannels, 1, 1}, identity));
    b.node("Conv", {"x", "w"}, {"c"});
    auto& p = b.node("MaxPool", {"c"}, {"y"});
    p.attributes["kernel_shape"] = attr_ints({3, 3});
    p.attributes["strides"] = attr_ints(pool.strides);
    p.attributes["pads"] = attr_ints(pool.pads);
    b.output("y");
    const Model model = b.build();

    // Few distinct values, so that windows tie. A NaN in channel 0 becomes one in every channel
    // (0 x NaN in the convolution): a sixth of the positions, so every window position has some.
    std::mt19937 rng(29);
    std::uniform_int_distribution<int> level(0, 3), nan_at(0, 5);
    const int64_t plane = shape[2] * shape[3];
    std::vector<float> x(static_cast<size_t>(kChannels * plane));
    for (size_t i = 0; i < x.size(); ++i)
      x[i] = i < static_cast<size_t>(plane) && nan_at(rng) == 0
                 ? std::numeric_limits<float>::quiet_NaN()
                 : static_cast<float>(level(rng));
    auto run = [&](bool portable) {
      // The kernels are picked when the network compiles; the environment is restored after, as
      // the PortableKernels test runs this whole suite with the variable set.
      const char* before = std::getenv("NEUROSCOPE_PORTABLE_KERNELS");
      const std::optional<std::string> saved =
          before ? std::optional<std::string>(before) : std::nullopt;
      if (portable)
        setenv("NEUROSCOPE_PORTABLE_KERNELS", "1", 1);
      else
        unsetenv("NEUROSCOPE_PORTABLE_KERNELS");
      Network net(model, {.outputs = {"y"}});
      if (saved)
        setenv("NEUROSCOPE_PORTABLE_KERNELS", saved->c_str(), 1);
      else
        unsetenv("NEUROSCOPE_PORTABLE_KERNELS");
      std::copy(x.begin(), x.end(), net.input("x").values().begin());
      net.forward();
      Tensor& dy = net.output_gradient("y");
      for (int64_t i = 0; i < dy.size(); ++i)
        dy.values()[static_cast<size_t>(i)] = 1.0f + static_cast<float>(i);
      net.backward();
      const auto y = net.output("y").values();
      const auto dx = net.input_gradient("x").values();
      return std::pair(std::vector<float>(y.begin(), y.end()),
                       std::vector<float>(dx.begin(), dx.end()));
    };
    const auto [simd_y, simd_dx] = run(false);
    const auto [portable_y, portable_dx] = run(true);
    ASSERT_EQ(simd_y.size(), portable_y.size());
    for (size_t i = 0; i < simd_y.size(); ++i)
      ASSERT_TRUE(simd_y[i] == portable_y[i] ||
                  (std::isnan(simd_y[i]) && std::isnan(portable_y[i])))
          << "output " << i << ": " << simd_y[i] << " vs " << portable_y[i];
    for (size_t i = 0; i < simd_dx.size(); ++i)
      ASSERT_TRUE(simd_dx[i] == portable_dx[i] ||
                  (std::isnan(simd_dx[i]) && std::isnan(portable_dx[i])))
          << "input gradient " << i << ": " << simd_dx[i] << " vs " << portable_dx[i];
  }
}

}  // namespace
}  // namespace neuroscope::testing
