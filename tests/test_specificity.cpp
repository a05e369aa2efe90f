// The reference recipe on the real GoogLeNet: do the images show what their channel encodes?
// For 16 fixed channels of inception_3b/output and of inception_4d/output (default settings:
// 224x224, 256 steps), measured with each channel's response = its mean activation:
//   (1) in the image made for channel C, C is among the 5 largest responses of the layer;
//   (2) C responds more to its own image than to the images made for the other 15 channels;
//   (3) C's response to its image is at least 10x its mean response over ../shared/photos.
// Each must hold for at least 90% of the channels, and stay within 2 points in bfloat16.
// Slow (a few minutes on 2 cores).
#include <algorithm>
#include <cmath>

#include <oneapi/dnnl/dnnl.hpp>
#include <iostream>

#include "neuroscope/score.h"
#include "neuroscope/visualize.h"
#include "testing/testing.h"

namespace neuroscope {
namespace {

struct LayerCase {
  std::string tensor;
  std::vector<int64_t> channels;
};

struct Measures {
  int top5 = 0, beats_others = 0, beats_photos = 0;
};

Measures measure(const Model& model, const LayerCase& layer, Precision precision) {
  const Preprocessing pre = resolve_preprocessing(model, {});
  FeatureOptions options;
  options.batch = static_cast<int64_t>(layer.channels.size());
  options.precision = precision;
  const char* name = precision == Precision::kFloat32 ? "fp32" : "bf16";
  const ChannelImages made = visualize_channels(model, pre, layer.tensor, layer.channels, options);

  ResponseMeter meter(model, pre, layer.tensor, 224);
  const Tensor own = meter.responses(made.images);  // [16, C]
  const auto photos = list_images(testing::shared_dir() / "photos");
  EXPECT_FALSE(photos.empty()) << "no photos in ../shared/photos";
  if (photos.empty()) return {};
  Tensor photo_batch({static_cast<int64_t>(photos.size()), 3, 224, 224});
  for (size_t i = 0; i < photos.size(); ++i) {
    const Tensor p = load_square_image(photos[i], 224);
    std::copy(p.values().begin(), p.values().end(), photo_batch.data() + static_cast<int64_t>(i) * p.size());
  }
  const Tensor natural = meter.responses(photo_batch);  // [P, C]

  const int64_t channels = own.dim(1), n = static_cast<int64_t>(layer.channels.size());
  int top5 = 0, beats_others = 0, beats_photos = 0;
  EXPECT_EQ(photos.size(), static_cast<size_t>(natural.dim(0)));
  for (int64_t i = 0; i < n; ++i) {
    const int64_t c = layer.channels[static_cast<size_t>(i)];
    const float mine = own[i * channels + c];
    int64_t rank = 0;
    for (int64_t k = 0; k < channels; ++k) rank += own[i * channels + k] > mine;
    bool best = true;
    for (int64_t j = 0; j < n; ++j) best &= j == i || own[j * channels + c] < mine;
    double photo_mean = 0;
    for (int64_t p = 0; p < natural.dim(0); ++p) photo_mean += natural[p * channels + c];
    photo_mean /= static_cast<double>(natural.dim(0));
    const double ratio = mine / std::max(photo_mean, 1e-6);
    top5 += rank < 5;
    beats_others += best;
    beats_photos += ratio >= 10.0;
    std::cout << name << " " << layer.tensor << " channel " << c << ": rank " << rank + 1 << " of " << channels
              << ", own response " << mine << (best ? " (beats the other images)" : " (NOT the best)")
              << ", " << ratio << "x its mean over photos; objective " << made.values[static_cast<size_t>(i)]
              << ", rescued steps " << made.rescued_steps[static_cast<size_t>(i)]
              << "\n";
  }
  std::cout << name << " " << layer.tensor << ": top-5 " << top5 << "/" << n << ", own image best "
            << beats_others << "/" << n << ", >=10x photos " << beats_photos << "/" << n << " ("
            << made.seconds << " s to render)\n";
  return {top5, beats_others, beats_photos};
}

// Each measure holds for at least 90% of the channels in float32; in bfloat16 (where the CPU
// has it) each stays within 2 percentage points of float32.
void check_specificity(const LayerCase& layer) {
  const auto dir = testing::googlenet_dir();
  NS_REQUIRE_SHARED(dir);
  Model model = Model::load(dir / "googlenet-bvlc.onnx");
  const Measures fp32 = measure(model, layer, Precision::kFloat32);
  const auto n = static_cast<int>(layer.channels.size());
  const int needed = (9 * n + 9) / 10;  // at least 90%
  EXPECT_GE(fp32.top5, needed) << "channels among the top 5 responses of their own image";
  EXPECT_GE(fp32.beats_others, needed) << "channels responding most to their own image";
  EXPECT_GE(fp32.beats_photos, needed) << "channels with >= 10x their mean photo response";

  const dnnl::cpu_isa isa = dnnl::get_effective_cpu_isa();
  if (isa != dnnl::cpu_isa::avx512_core_bf16 && isa != dnnl::cpu_isa::avx512_core_amx) {
    std::cout << "SKIPPED the bfloat16 comparison: this CPU has no AVX512-BF16/AMX\n";
    return;
  }
  const Measures bf16 = measure(model, layer, Precision::kBFloat16);
  auto points = [&](int count) { return 100.0 * count / n; };
  EXPECT_LE(std::fabs(points(bf16.top5) - points(fp32.top5)), 2.0) << "top-5 measure, bf16 vs fp32";
  EXPECT_LE(std::fabs(points(bf16.beats_others) - points(fp32.beats_others)), 2.0)
      << "own-image measure, bf16 vs fp32";
  EXPECT_LE(std::fabs(points(bf16.beats_photos) - points(fp32.beats_photos)), 2.0)
      << "photo measure, bf16 vs fp32";
}

TEST(Specificity, Inception3b) {
  check_specificity({"inception_3b/output",
                     {5, 20, 41, 77, 100, 130, 160, 199, 233, 260, 268, 301, 330, 380, 420, 460}});
}

TEST(Specificity, Inception4d) {
  check_specificity({"inception_4d/output",
                     {3, 36, 60, 97, 140, 181, 222, 265, 300, 318, 352, 390, 420, 455, 490, 520}});
}

}  // namespace
}  // namespace neuroscope
