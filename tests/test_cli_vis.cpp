// The picture-making subcommands: kernels, feature, grid, demo. They run on the built-in model
// (a few steps, to stay fast) and on the tiny fixture classifier; every bad input gets one line.
#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>

#include "neuroscope/image.h"
#include "testing/fixtures.h"
#include "testing/testing.h"

namespace neuroscope::testing {
namespace {

std::string read_all(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

TEST(CliKernels, DrawsTheFirstConvolutionOfTheBuiltInModel) {
  TempDir dir;
  const CliResult r = run_cli({"kernels", "-o", (dir / "k.png").string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("32 kernels"), std::string::npos) << r.out;
  const Tensor image = read_image(dir / "k.png");
  EXPECT_GT(image.dim(1), 100);  // 3x3 kernels enlarged, 8 columns
}

TEST(CliKernels, ColourKernelsOfGoogLeNet) {
  NS_REQUIRE_SHARED(googlenet_dir());
  TempDir dir;
  const CliResult r = run_cli({"kernels", (googlenet_dir() / "googlenet-bvlc.onnx").string(), "-o",
                               (dir / "k.png").string(), "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("\"weights_shape\":[64,3,7,7]"), std::string::npos) << r.out;
  const Tensor image = read_image(dir / "k.png");
  // Colour: some tile pixels differ between channels.
  double spread = 0;
  const int64_t plane = image.dim(1) * image.dim(2);
  for (int64_t i = 0; i < plane; ++i)
    spread = std::max(spread, std::fabs(double(image[i]) - image[plane + i]));
  EXPECT_GT(spread, 0.2);
}

TEST(CliFeature, SameSeedGivesTheSameBytes) {
  TempDir dir;
  const auto run = [&](const std::string& file, const std::string& seed) {
    return run_cli({"feature", "--layer", "inception_a/output", "--channel", "5", "--steps", "8",
                    "--seed", seed, "-o", (dir / file).string(), "--quiet"});
  };
  ASSERT_EQ(run("a.png", "3").exit_code, 0);
  ASSERT_EQ(run("b.png", "3").exit_code, 0);
  ASSERT_EQ(run("c.png", "4").exit_code, 0);
  EXPECT_EQ(read_all(dir / "a.png"), read_all(dir / "b.png"));
  EXPECT_NE(read_all(dir / "a.png"), read_all(dir / "c.png"));
}

// The other recipes, at a size other than the network's (the built-in model sees 28x28).
TEST(CliFeature, RecipesRenderAtOtherSizes) {
  TempDir dir;
  for (const char* recipe : {"lucid", "deepdream"}) {
    const auto out = dir / (std::string(recipe) + ".png");
    const CliResult r =
        run_cli({"feature", "--layer", "inception_a/output", "--channel", "5", "--recipe", recipe,
                 "--steps", "6", "--size", "64", "-o", out.string(), "--json"});
    ASSERT_EQ(r.exit_code, 0) << recipe << ": " << r.err;
    const auto json = nlohmann::json::parse(r.out);
    EXPECT_EQ(json["size"], 64) << recipe;
    EXPECT_GT(json["objective"].get<double>(), 0.0) << recipe;
    EXPECT_EQ(read_image(out).dim(1), 128) << recipe;  // saved enlarged 2x to be seen
  }
  const auto lucid = nlohmann::json::parse(
      run_cli({"feature", "--layer", "inception_a/output", "--channel", "5", "--recipe", "lucid",
               "--steps", "1", "-o", (dir / "l.png").string(), "--json"})
          .out);
  EXPECT_NE(lucid["recipe"].get<std::string>().find("fourier"), std::string::npos) << lucid;
}

TEST(CliFeature, ObjectiveExpressionWithSeveralImages) {
  TempDir dir;
  const CliResult r = run_cli(
      {"feature", "--objective", "class(Sneaker) - 0.001*tv + 0.1*diversity(inception_a/output)",
       "--images", "3", "--steps", "4", "-o", (dir / "o.png").string(), "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto json = nlohmann::json::parse(r.out);
  EXPECT_EQ(json["values"].size(), 3u) << json;
  EXPECT_TRUE(std::filesystem::exists(dir / "o.png"));
}

TEST(CliFeature, BadRecipePiecesAreUsageErrors) {
  TempDir dir;
  const auto feature = [&](std::vector<std::string> extra) {
    std::vector<std::string> args = {"feature", "--layer", "inception_a/output",    "--channel",
                                     "5",       "-o",      (dir / "x.png").string()};
    args.insert(args.end(), extra.begin(), extra.end());
    return run_cli(args);
  };
  expect_cli_error(feature({"--recipe", "lucent"}), 2,
                   {"lucent", "reference", "lucid", "deepdream"});
  expect_cli_error(feature({"--transforms", "pad:12,wobble:3"}), 2, {"wobble"});
  expect_cli_error(feature({"--param", "fourier:x"}), 2, {"fourier:x"});
  expect_cli_error(feature({"--optimizer", "sgd"}), 2, {"sgd"});
  expect_cli_error(feature({"--param", "fourier", "--octaves", "3"}), 2, {"octaves", "pixels"});
  expect_cli_error(run_cli({"feature", "--objective", "layer(inception_a/output", "-o",
                            (dir / "x.png").string()}),
                   2, {"')'"});
  EXPECT_TRUE(dir.list().empty());
}

TEST(CliFeature, JsonReportsTheObjective) {
  TempDir dir;
  const CliResult r = run_cli({"feature", "--layer", "stem/conv2", "--channel", "1", "--steps", "4",
                               "-o", (dir / "f.png").string(), "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("\"objective\":"), std::string::npos) << r.out;
  EXPECT_TRUE(r.err.empty()) << "--json implies no progress: " << r.err;
  EXPECT_TRUE(std::filesystem::exists(dir / "f.png"));
}

TEST(CliGrid, OneImagePerChannelInBatches) {
  TempDir dir;
  const CliResult r = run_cli({"grid", "--layer", "inception_b/output", "--channels", "0-4,9",
                               "--steps", "4", "--batch", "4", "--size", "28", "--columns", "3",
                               "-o", (dir / "g.png").string(), "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // 6 tiles of 28 px, each shown enlarged x5 (to at least 128 px), in 3 columns, 2 px gaps.
  const Tensor image = read_image(dir / "g.png");
  EXPECT_EQ(image.dim(2), 3 * 140 + 2 * 2);
  EXPECT_EQ(image.dim(1), 2 * 140 + 2);
}

TEST(CliDemo, WritesThreePictures) {
  TempDir dir;
  const CliResult r = run_cli({"demo", (dir / "out").string(), "--quiet"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const char* f : {"kernels.png", "feature.png", "grid.png"})
    EXPECT_TRUE(std::filesystem::exists(dir / "out" / f)) << f;
}

TEST(CliScore, MeasuresImagesMadeForChannels) {
  TempDir dir;
  for (const char* c : {"3", "7"})
    ASSERT_EQ(run_cli({"feature", "--layer", "inception_b/output", "--channel", c, "--steps", "32",
                       "--size", "28", "-o", (dir / (std::string(c) + ".png")).string(), "--quiet"})
                  .exit_code,
              0);
  Tensor noise({3, 28, 28});
  for (int64_t i = 0; i < noise.size(); ++i)
    noise[i] = static_cast<float>((i * 7919) % 101) / 100.0f;
  std::filesystem::create_directory(dir / "photos");
  write_png(dir / "photos" / "noise.png", noise);
  const CliResult r =
      run_cli({"score", "--layer", "inception_b/output", "--image", "3=" + (dir / "3.png").string(),
               "--image", "7=" + (dir / "7.png").string(), "--size", "28", "--photos",
               (dir / "photos").string(), "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // Each image was made for its channel: it should win there (the saved PNG is enlarged x5;
  // --size 28 scores it at the size it was made).
  EXPECT_NE(r.out.find("\"beats_others\":2"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\"rank\":"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\"photo_ratio\":"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\"high_frequency\":"), std::string::npos) << r.out;
}

TEST(CliScore, BadImageArguments) {
  TempDir dir;
  expect_cli_error(run_cli({"score", "--layer", "stem/conv1", "--image", "nofile"}), 2,
                   {"CHANNEL=FILE"});
  expect_cli_error(
      run_cli({"score", "--layer", "stem/conv1", "--image", "1=" + (dir / "absent.png").string()}),
      1, {"absent.png"});
  expect_cli_error(run_cli({"score", "--layer", "stem/conv1"}), 2, {"--image"});
}

TEST(CliVisErrors, UnknownLayerSuggestsNames) {
  expect_cli_error(run_cli({"feature", "--layer", "inception_c/output", "--channel", "0"}), 1,
                   {"inception_c/output", "closest", "inception_a/output"});
}

TEST(CliVisErrors, ChannelOutOfRange) {
  expect_cli_error(run_cli({"feature", "--layer", "inception_a/output", "--channel", "112"}), 1,
                   {"channel 112", "112 channels"});
  expect_cli_error(run_cli({"grid", "--layer", "inception_a/output", "--channels", "100-200"}), 1,
                   {"out of range"});
}

TEST(CliVisErrors, UnwritableOutputLeavesNothing) {
  TempDir dir;
  expect_cli_error(
      run_cli({"grid", "--layer", "stem/conv1", "-o", (dir / "missing" / "g.png").string()}), 1,
      {"does not exist"});
  expect_cli_error(run_cli({"kernels", "-o", dir.path().string()}), 1, {"folder"});
  EXPECT_TRUE(dir.list().empty());
}

TEST(CliVisErrors, ModelWhoseInputIsNotAnImage) {
  TempDir dir;
  const auto file = write_model(vector_input_classifier(), dir / "vector.onnx");
  expect_cli_error(run_cli({"feature", file.string(), "--layer", "logits", "--channel", "0", "-o",
                            (dir / "x.png").string()}),
                   1, {"not an image input"});
}

TEST(CliFeature, StartsFromAPicture) {
  TempDir dir;
  Tensor photo({3, 40, 30}, 0.25f);
  for (int64_t i = 0; i < 40 * 30; ++i) photo[i] = static_cast<float>(i % 30) / 30.0f;  // red ramp
  write_png(dir / "photo.png", photo);
  const CliResult r =
      run_cli({"feature", "--layer", "stem/conv1", "--channel", "2", "--steps", "0", "--size", "28",
               "--start", (dir / "photo.png").string(), "-o", (dir / "f.png").string(), "--quiet"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // No steps: the output is the start picture, in grey (the built-in model is grey), resized.
  const Tensor out = read_image(dir / "f.png");
  EXPECT_NEAR(out[0], out[out.dim(1) * out.dim(2)], 1.0 / 255) << "grey";
  EXPECT_GT(out[out.dim(2) - 1], out[0] + 0.1f) << "the ramp survives";
}

TEST(CliVisErrors, UnreadableOrUnsupportedStartImage) {
  TempDir dir;
  write_bytes(dir / "notes.txt", "not a picture\n");
  expect_cli_error(run_cli({"feature", "--layer", "stem/conv1", "--channel", "0", "--start",
                            (dir / "notes.txt").string(), "-o", (dir / "f.png").string()}),
                   1, {"cannot decode image", "notes.txt"});
  expect_cli_error(run_cli({"grid", "--layer", "stem/conv1", "--start",
                            (dir / "absent.jpg").string(), "-o", (dir / "g.png").string()}),
                   1, {"absent.jpg", "does not exist"});
  EXPECT_EQ(dir.list(), std::vector<std::string>{"notes.txt"});
}

TEST(CliVisErrors, MissingRequiredFlags) {
  expect_cli_error(run_cli({"feature", "--channel", "3"}), 2, {"--layer"});
  expect_cli_error(run_cli({"feature", "--layer", "stem/conv1"}), 2, {"--channel"});
  expect_cli_error(run_cli({"feature", "--layer", "stem/conv1", "--channel", "1", "--steps", "-2"}),
                   2, {"--steps"});
}

}  // namespace
}  // namespace neuroscope::testing
