// DeepDream (neuroscope/dream.h) on the built-in model, and the optimizers it brought:
// mean-normalized ascent and optimizers by name.
#include "neuroscope/dream.h"

#include <cmath>
#include <iostream>
#include <vector>

#include "neuroscope/error.h"
#include "neuroscope/image.h"
#include "neuroscope/optimizer.h"
#include "testing/fixtures.h"
#include "testing/testing.h"

namespace neuroscope::testing {
namespace {

const std::filesystem::path kBuiltInModel =
    std::filesystem::path(NEUROSCOPE_SOURCE_DIR) / "models" / "fashion_inception.onnx";

// A photo-like RGB picture: smooth gradients plus a bright disc, height x width.
Tensor test_photo(int64_t height, int64_t width) {
  Tensor photo({3, height, width});
  for (int64_t y = 0; y < height; ++y)
    for (int64_t x = 0; x < width; ++x) {
      const double dy = static_cast<double>(y) - static_cast<double>(height) / 2;
      const double dx = static_cast<double>(x) - static_cast<double>(width) / 3;
      const float disc =
          dx * dx + dy * dy < static_cast<double>(height * height) / 16 ? 0.5f : 0.0f;
      photo[(0 * height + y) * width + x] =
          0.2f + 0.6f * static_cast<float>(x) / static_cast<float>(width);
      photo[(1 * height + y) * width + x] = 0.3f + disc;
      photo[(2 * height + y) * width + x] =
          0.8f - 0.5f * static_cast<float>(y) / static_cast<float>(height);
    }
  return photo;
}

// The mean squared activation of `layer` for one image [C,H,W], computed here with a plain
// forward pass (independently of the dream's own bookkeeping).
double mean_square(const Model& model, const Preprocessing& pre, const std::string& layer,
                   const Tensor& image) {
  Network net(model, {.input_shapes = {{model.inputs().front().name,
                                        {1, pre.network_channels(), image.dim(1), image.dim(2)}}},
                      .outputs = {layer},
                      .gradients = false});
  Tensor batch = image;
  batch.reshape({1, image.dim(0), image.dim(1), image.dim(2)});
  pre.apply(batch, net.input());
  net.forward();
  double sum = 0;
  for (float v : net.output(layer).values()) sum += static_cast<double>(v) * v;
  return sum / static_cast<double>(net.output(layer).size());
}

class DreamTest : public ::testing::Test {
 protected:
  void SetUp() override {
    model_ = std::make_unique<Model>(Model::load(kBuiltInModel));
    pre_ = resolve_preprocessing(*model_, {});
  }
  std::unique_ptr<Model> model_;
  Preprocessing pre_;
};

TEST(OctaveSizes, SuccessiveRoundedShrinksSmallestFirst) {
  // 140 / 1.4 = 100, 100 / 1.4 = 71.4 -> 71, 71 / 1.4 = 50.7 -> 51, 51 / 1.4 = 36.4 -> 36;
  // 100 -> 71.4 -> 71, 71 -> 51, 51 -> 36.
  const std::vector<OctaveSize> expected = {{36, 51}, {51, 71}, {71, 100}, {100, 140}};
  EXPECT_EQ(octave_sizes(100, 140, 4, 1.4, 32), expected);
  // A fifth octave would be 26 x 36: below 32 px, so it is not taken.
  EXPECT_EQ(octave_sizes(100, 140, 6, 1.4, 32), expected);
  EXPECT_EQ(octave_sizes(100, 140, 1, 1.4, 32), (std::vector<OctaveSize>{{100, 140}}));
  // A photo smaller than the minimum still has its own octave.
  EXPECT_EQ(octave_sizes(20, 10, 4, 2.0, 32), (std::vector<OctaveSize>{{20, 10}}));
  EXPECT_EQ(octave_sizes(64, 64, 3, 2.0, 1),
            (std::vector<OctaveSize>{{16, 16}, {32, 32}, {64, 64}}));
}

TEST(OctaveSizes, BadValuesAreErrors) {
  EXPECT_THROW(octave_sizes(100, 100, 0, 1.4, 32), Error);
  EXPECT_THROW(octave_sizes(100, 100, 4, 1.0, 32), Error);
  EXPECT_THROW(octave_sizes(100, 100, 4, std::nan(""), 32), Error);
}

TEST_F(DreamTest, KeepsThePhotosSizeInTheNetworksColours) {
  DreamOptions options;
  options.steps = 3;
  options.min_octave_side = 16;
  const DreamResult r = dream(*model_, pre_, test_photo(37, 50), options);
  EXPECT_EQ(r.image.shape(), (Shape{1, 37, 50})) << "grey network: grey image at the photo's size";
  // 37x50 -> 26x36 -> 19x26 -> (14: below 16, dropped).
  EXPECT_EQ(r.octaves, (std::vector<OctaveSize>{{19, 26}, {26, 36}, {37, 50}}));
  EXPECT_EQ(r.octaves_requested, 4);
  EXPECT_EQ(r.layers, std::vector<std::string>{"inception_a/output"});
  for (float v : r.image.values()) ASSERT_TRUE(v >= 0.0f && v <= 1.0f) << v;
}

TEST_F(DreamTest, WithoutStepsThePhotoComesBackUnchanged) {
  // No steps: every octave's detail is zero, so the result is the (grey) photo itself.
  DreamOptions options;
  options.steps = 0;
  options.min_octave_side = 8;
  const Tensor photo = test_photo(40, 33);
  const DreamResult r = dream(*model_, pre_, photo, options);
  ASSERT_GT(r.octaves.size(), 1u);
  const Tensor grey = to_grey(photo);
  EXPECT_LT(relative_error(r.image, grey), 1e-6);
}

TEST_F(DreamTest, TheLayersMeanSquareGrows) {
  DreamOptions options;
  options.layers = {"inception_a/output"};
  options.min_octave_side = 16;
  const Tensor photo = test_photo(48, 64);
  const DreamResult r = dream(*model_, pre_, photo, options);
  const double before = mean_square(*model_, pre_, "inception_a/output", to_grey(photo));
  const double after = mean_square(*model_, pre_, "inception_a/output", r.image);
  EXPECT_GT(after, 1.2 * before) << "before " << before << ", after " << after;
  // The final objective the dream reports is the same quantity on the same image.
  EXPECT_NEAR(r.values.back(), after, 1e-4 * after);
  // The photo is still there: the dream changed it, but not beyond recognition.
  double change = 0;
  const Tensor grey = to_grey(photo);
  for (int64_t i = 0; i < grey.size(); ++i) change += std::fabs(r.image[i] - grey[i]);
  change /= static_cast<double>(grey.size());
  std::cout << "mean square " << before << " -> " << after << ", mean |change| " << change << "\n";
  EXPECT_GT(change, 0.005);
  EXPECT_LT(change, 0.25);
}

TEST_F(DreamTest, SameSeedSameImage) {
  DreamOptions options;
  options.steps = 4;
  options.min_octave_side = 16;
  const Tensor photo = test_photo(36, 40);
  const DreamResult a = dream(*model_, pre_, photo, options);
  const DreamResult b = dream(*model_, pre_, photo, options);
  options.seed = 7;
  const DreamResult c = dream(*model_, pre_, photo, options);
  EXPECT_EQ(relative_error(a.image, b.image), 0.0);
  EXPECT_GT(relative_error(a.image, c.image), 0.0) << "another seed, other shifts";
}

TEST_F(DreamTest, SeveralLayersAddUp) {
  DreamOptions options;
  options.steps = 2;
  options.layers = {"stem/conv2", "inception_b/output", "stem/conv2"};
  const DreamResult r = dream(*model_, pre_, test_photo(40, 40), options);
  EXPECT_EQ(r.layers, (std::vector<std::string>{"stem/conv2", "inception_b/output"}));
}

TEST_F(DreamTest, BadInputsAreErrors) {
  DreamOptions options;
  options.layers = {"inception_c/output"};
  try {
    dream(*model_, pre_, test_photo(40, 40), options);
    FAIL() << "unknown layer accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("inception_a/output"), std::string::npos) << e.what();
  }
  options.layers = {};
  options.octaves = 0;
  EXPECT_THROW(dream(*model_, pre_, test_photo(40, 40), options), Error);
  options.octaves = 4;
  options.octave_scale = 0.5;
  EXPECT_THROW(dream(*model_, pre_, test_photo(40, 40), options), Error);
  options.octave_scale = 1.4;
  EXPECT_THROW(dream(*model_, pre_, Tensor({4, 10, 10}), options), Error) << "4 channels";
}

TEST(Dream, TooSmallAPhotoForTheNetwork) {
  TempDir dir;
  const Model model = Model::load(write_tiny_classifier(dir.path()));
  const Preprocessing pre = resolve_preprocessing(model, {});
  DreamOptions options;
  options.layers = {"conv2"};  // behind a 2x2 pooling: a 1x1 photo cannot reach it
  try {
    dream(model, pre, Tensor({3, 1, 1}, 0.5f), options);
    FAIL() << "a 1x1 photo went through a 2x2 pooling";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("too small"), std::string::npos) << e.what();
  }
}

TEST(DefaultDreamLayer, BlockOutputsTwoThirdsDeep) {
  // The built-in model's block outputs are inception_a/output and inception_b/output.
  EXPECT_EQ(default_dream_layer(Model::load(kBuiltInModel)), "inception_a/output");
  // The tiny classifier has no Concat or Add; its Relu outputs are conv1 and conv2.
  TempDir dir;
  EXPECT_EQ(default_dream_layer(Model::load(write_tiny_classifier(dir.path()))), "conv1");
}

TEST(DefaultDreamLayer, TheClassicOnGoogLeNet) {
  NS_REQUIRE_SHARED(googlenet_dir());
  EXPECT_EQ(default_dream_layer(Model::load(googlenet_dir() / "googlenet-bvlc.onnx")),
            "inception_4c/output");
}

TEST(Dream, GoogLeNetOnARealPhoto) {
  NS_REQUIRE_SHARED(googlenet_dir());
  const Model model = Model::load(googlenet_dir() / "googlenet-bvlc.onnx");
  const Preprocessing pre = resolve_preprocessing(model, {});
  const Tensor photo = resize_bilinear(read_image(shared_dir() / "photos" / "owl.jpg"), 96, 128);
  DreamOptions options;
  options.octaves = 2;
  options.steps = 5;
  const DreamResult r = dream(model, pre, photo, options);
  EXPECT_EQ(r.layers, std::vector<std::string>{"inception_4c/output"});
  EXPECT_EQ(r.image.shape(), (Shape{3, 96, 128}));
  const double before = mean_square(model, pre, "inception_4c/output", photo);
  const double after = mean_square(model, pre, "inception_4c/output", r.image);
  std::cout << "inception_4c/output mean square " << before << " -> " << after << "\n";
  EXPECT_GT(after, 1.5 * before) << "before " << before << ", after " << after;
}

// ------------------------------------------------------------------------------ optimizers

TEST(MeanNormalizedAscent, EachImagesMeanStepIsTheStepSize) {
  auto opt = make_mean_normalized_ascent(0.5f);
  std::vector<float> theta = {1, 1, 1, 1, 2, 2};
  const std::vector<float> grad = {1, -3, 0, 0, 0, 0};  // image 0: mean |g| = 2; images 1, 2: zero
  opt->reset(theta.size(), 3);
  opt->step(theta, grad);
  EXPECT_FLOAT_EQ(theta[0], 1.25f);
  EXPECT_FLOAT_EQ(theta[1], 0.25f);
  EXPECT_EQ(theta[2], 1.0f);
  EXPECT_EQ(theta[3], 1.0f) << "a zero gradient moves nothing";
  EXPECT_EQ(theta[4], 2.0f);
  EXPECT_THROW(make_mean_normalized_ascent(0.0f), Error);
}

TEST(NormalizedAscent, EachImagesLargestStepIsTheStepSize) {
  // 37 values per image: the largest |g| sits in the part read 16 at a time for image 0, in
  // the remainder for image 1; image 2 has no gradient; NaNs are passed over.
  constexpr size_t kBlock = 37;
  std::vector<float> theta(3 * kBlock, 1.0f), grad(3 * kBlock, 0.0f);
  for (size_t i = 0; i < 2 * kBlock; ++i) grad[i] = 0.01f * static_cast<float>(i % 7) - 0.02f;
  grad[5] = -4.0f;
  grad[kBlock + 35] = 2.0f;
  grad[kBlock + 3] = std::nanf("");
  auto opt = make_normalized_ascent(0.125f);
  opt->reset(theta.size(), 3);
  opt->step(theta, grad);
  EXPECT_FLOAT_EQ(theta[5], 1.0f - 0.125f);
  EXPECT_FLOAT_EQ(theta[6], 1.0f + 0.125f / 4.0f * grad[6]);
  EXPECT_FLOAT_EQ(theta[kBlock + 35], 1.0f + 0.125f);
  EXPECT_FLOAT_EQ(theta[kBlock], 1.0f + 0.125f / 2.0f * grad[kBlock]);
  for (size_t i = 2 * kBlock; i < 3 * kBlock; ++i) EXPECT_EQ(theta[i], 1.0f);
}

TEST(MeanNormalizedAscent, IndependentOfTheGradientsScale) {
  auto a = make_mean_normalized_ascent(0.1f), b = make_mean_normalized_ascent(0.1f);
  std::vector<float> ta(4, 0.0f), tb(4, 0.0f);
  const std::vector<float> g = {0.5f, -1.0f, 2.0f, 0.5f};
  std::vector<float> g_big = g;
  for (float& v : g_big) v *= 1000.0f;
  a->reset(4, 1);
  b->reset(4, 1);
  a->step(ta, g);
  b->step(tb, g_big);
  for (size_t i = 0; i < 4; ++i) EXPECT_FLOAT_EQ(ta[i], tb[i]);
  double mean = 0;
  for (float v : ta) mean += std::fabs(v) / 4;
  EXPECT_NEAR(mean, 0.1, 1e-6);
}

// The step an optimizer takes from zero along a fixed gradient.
std::vector<float> first_step(Optimizer& opt, const std::vector<float>& gradient) {
  std::vector<float> theta(gradient.size(), 0.0f);
  opt.reset(theta.size(), 1);
  opt.step(theta, gradient);
  return theta;
}

TEST(ParseOptimizer, NamesAndValues) {
  const std::vector<float> g = {1.0f, -4.0f, 3.0f};
  // normalized: largest |step| is the value.
  EXPECT_FLOAT_EQ(first_step(*parse_optimizer("normalized:0.5"), g)[1], -0.5f);
  EXPECT_FLOAT_EQ(first_step(*parse_optimizer("normalized"), g)[1], -0.125f);
  // mean-normalized: mean |step| is the value (mean |g| = 8/3).
  EXPECT_FLOAT_EQ(first_step(*parse_optimizer("mean-normalized:0.5"), g)[0], 0.5f * 3 / 8);
  EXPECT_FLOAT_EQ(first_step(*parse_optimizer("mean-normalized"), g)[0], 1.5f / 255 * 3 / 8);
  // Adam's first step is the learning rate times the gradient's sign.
  EXPECT_NEAR(first_step(*parse_optimizer("adam:0.2"), g)[2], 0.2f, 1e-6);
  EXPECT_NEAR(first_step(*parse_optimizer("adam"), g)[1], -0.05f, 1e-6);
  EXPECT_NE(parse_optimizer("adam")->describe().find("Adam"), std::string::npos);
}

TEST(ParseOptimizer, BadSpecsListTheValidForms) {
  for (const char* spec : {"sgd", "", "normalized:", "normalized:abc", "adam:0.1x", "Adam"}) {
    try {
      parse_optimizer(spec);
      ADD_FAILURE() << "'" << spec << "' accepted";
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find("mean-normalized[:STEP]"), std::string::npos)
          << e.what();
    }
  }
  for (const char* spec : {"normalized:-1", "adam:0", "mean-normalized:inf"})
    EXPECT_THROW(parse_optimizer(spec), Error) << spec;
}

// ------------------------------------------------------------------------- preprocessing

// backward() is the adjoint of apply()'s linear part: <apply(x) - apply(0), g> = <x, backward(g)>
// for every colour order and image channel count, on a batch of 2.
TEST(Preprocessing, BackwardIsTheAdjointOfApply) {
  struct Case {
    ColorOrder order;
    int64_t image_channels;
  };
  for (const Case c :
       {Case{ColorOrder::kRGB, 3}, Case{ColorOrder::kBGR, 3}, Case{ColorOrder::kRGB, 1},
        Case{ColorOrder::kGray, 1}, Case{ColorOrder::kGray, 3}}) {
    Preprocessing pre;
    pre.color_order = c.order;
    pre.scale = 255.0f;
    pre.mean = c.order == ColorOrder::kGray ? std::vector<float>{0.5f}
                                            : std::vector<float>{104.0f, 117.0f, 123.0f};
    pre.std = c.order == ColorOrder::kGray ? std::vector<float>{0.25f}
                                           : std::vector<float>{1.0f, 2.0f, 4.0f};
    const int64_t n = 2, h = 5, w = 7, channels = pre.network_channels();
    Tensor x({n, c.image_channels, h, w}), zero({n, c.image_channels, h, w});
    for (int64_t i = 0; i < x.size(); ++i) x[i] = static_cast<float>((i * 37) % 101) / 101.0f;
    Tensor gradient({n, channels, h, w});
    for (int64_t i = 0; i < gradient.size(); ++i)
      gradient[i] = static_cast<float>((i * 53) % 89) / 89.0f - 0.5f;
    Tensor at_x({n, channels, h, w}), at_zero({n, channels, h, w});
    pre.apply(x, at_x);
    pre.apply(zero, at_zero);
    Tensor back({n, c.image_channels, h, w}, 99.0f);  // overwritten, not added to
    pre.backward(gradient, back);
    double forward = 0, adjoint = 0;
    for (int64_t i = 0; i < gradient.size(); ++i)
      forward += (static_cast<double>(at_x[i]) - at_zero[i]) * gradient[i];
    for (int64_t i = 0; i < x.size(); ++i) adjoint += static_cast<double>(x[i]) * back[i];
    EXPECT_NEAR(forward, adjoint, 1e-4 * std::max(1.0, std::abs(forward)))
        << color_order_name(c.order) << ", " << c.image_channels << " image channel(s)";
  }
}

}  // namespace
}  // namespace neuroscope::testing
