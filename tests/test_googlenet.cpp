// The real ImageNet GoogLeNet (../shared/models/googlenet) against Caffe's own activations.
#include <algorithm>

#include "neuroscope/model.h"
#include "neuroscope/network.h"
#include "neuroscope/npy.h"
#include "testing/testing.h"

namespace neuroscope {
namespace {

using testing::googlenet_dir;
using testing::relative_error;

TEST(GoogLeNet, ForwardMatchesCaffeReference) {
  NS_REQUIRE_SHARED(googlenet_dir());
  const auto ref = googlenet_dir() / "reference";
  Model model = Model::load(googlenet_dir() / "googlenet-bvlc.onnx");
  const Tensor data = read_npy(ref / "data.npy");
  Network net(model, {.input_shapes = {{"data", data.shape()}},
                      .outputs = {"conv1/7x7_s2", "inception_3b/output", "inception_4d/output",
                                  "loss3/classifier", "prob"},
                      .gradients = false});
  std::copy(data.values().begin(), data.values().end(), net.input().values().begin());
  net.forward();
  EXPECT_LE(relative_error(net.output("conv1/7x7_s2"), read_npy(ref / "conv1_7x7_s2.npy")), 1e-4);
  EXPECT_LE(relative_error(net.output("inception_3b/output"), read_npy(ref / "inception_3b_output.npy")), 1e-4);
  EXPECT_LE(relative_error(net.output("inception_4d/output"), read_npy(ref / "inception_4d_output.npy")), 1e-4);
  EXPECT_LE(relative_error(net.output("loss3/classifier"), read_npy(ref / "loss3_classifier.npy")), 1e-4);
  EXPECT_LE(relative_error(net.output("prob"), read_npy(ref / "prob.npy")), 1e-4);
  const Tensor& prob = net.output("prob");
  const auto top = std::max_element(prob.values().begin(), prob.values().end()) - prob.values().begin();
  EXPECT_EQ(top, 967) << "top-1 should be espresso";
}

}  // namespace
}  // namespace neuroscope
