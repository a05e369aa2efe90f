// Outputs larger than the caches (4 MB, kStreamBytes in src/ops/simd.h) are written with
// streaming stores by the blocked LRN kernel and by Concat (its run copies, and its transposes
// out of the objective's gradient). Here every such buffer is at least that large (the max pool
// between them writes normally): the output against the float64
// reference network, and the input gradient of sum(w * y) along random directions against
// central differences of that reference (one pair of reference runs per direction, where an
// element-wise check would need millions).
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "ops/network_check.h"
#include "testing/graph_builder.h"

namespace neuroscope::testing {
namespace {

// x [2,3,128,128] -> Conv (32 channels: 4 MB) -> LRN -> MaxPool 3x3 stride 1 -> Concat with the
// Conv's output (8 MB); the Conv's output has two readers, so its gradient is a sum.
const Shape kInput = {2, 3, 128, 128};

Model large_model(std::mt19937& rng) {
  GraphBuilder b("streaming", 13);
  b.input("x", kInput);
  b.constant("w", random_tensor({32, 3, 3, 3}, rng));
  b.node("Conv", {"x", "w"}, {"c"}).attributes["pads"] = attr_ints({1, 1, 1, 1});
  auto& lrn = b.node("LRN", {"c"}, {"l"});
  lrn.attributes["size"] = attr_int(5);
  lrn.attributes["alpha"] = attr_float(0.5f);
  lrn.attributes["beta"] = attr_float(0.75f);
  auto& pool = b.node("MaxPool", {"l"}, {"m"});
  pool.attributes["kernel_shape"] = attr_ints({3, 3});
  pool.attributes["pads"] = attr_ints({1, 1, 1, 1});
  b.node("Concat", {"m", "c"}, {"y"}).attributes["axis"] = attr_int(1);
  b.output("y");
  return b.build();
}

TEST(StreamingStores, LargeLrnMaxPoolConcatMatchTheReference) {
  std::mt19937 rng(41);
  const Model model = large_model(rng);
  Network net(model, {.outputs = {"y"}});
  const ReferenceComparison c = run_against_reference(net, model, kInput, rng);
  const Tensor& dx = net.input_gradient("x");
  for (int direction = 0; direction < 2; ++direction) {
    const Tensor v = random_tensor(kInput, rng);
    const double step = 1e-7;  // small: few of the ~10^6 max-pool windows change winner
    ref::RefTensor plus = c.x_ref, minus = c.x_ref;
    double along = 0;
    for (int64_t k = 0; k < c.x.size(); ++k) {
      plus.v[static_cast<size_t>(k)] += step * v[k];
      minus.v[static_cast<size_t>(k)] -= step * v[k];
      along += static_cast<double>(dx[k]) * v[k];
    }
    const double fd = (c.objective(plus) - c.objective(minus)) / (2 * step);
    EXPECT_NEAR(along, fd, 1e-3 * std::fabs(fd)) << "input gradient along direction " << direction;
  }
}

}  // namespace
}  // namespace neuroscope::testing
