// `neuroscope dream MODEL PHOTO`: runs on the built-in model (few steps, to stay fast) and
// fails cleanly, with one line and no output file, on every bad input.
#include "neuroscope/image.h"
#include "testing/fixtures.h"
#include "testing/testing.h"

namespace neuroscope::testing {
namespace {

const std::string kBuiltInModel =
    (std::filesystem::path(NEUROSCOPE_SOURCE_DIR) / "models" / "fashion_inception.onnx").string();
// Debian's darknet package ships real photos of assorted sizes.
const std::filesystem::path kDarknetPhoto = "/usr/share/darknet/data/dog.jpg";

// A 61x45 colour picture with a horizontal ramp.
std::filesystem::path write_photo(const TempDir& dir, const std::string& name) {
  Tensor photo({3, 45, 61}, 0.4f);
  for (int64_t y = 0; y < 45; ++y)
    for (int64_t x = 0; x < 61; ++x) photo[y * 61 + x] = static_cast<float>(x) / 61.0f;
  write_png(dir / name, photo);
  return dir / name;
}

TEST(CliDream, WritesAPngOfThePhotosSize) {
  TempDir dir;
  const auto photo = write_photo(dir, "photo.png");
  const CliResult r =
      run_cli({"dream", kBuiltInModel, photo.string(), "-o", (dir / "d.png").string(), "--steps",
               "3", "--min-size", "20", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(r.err.empty()) << "--json implies no progress: " << r.err;
  EXPECT_NE(r.out.find("\"layers\":[\"inception_a/output\"]"), std::string::npos) << r.out;
  // 61x45 -> 44x32 -> 31x23 (a fourth, 22x16, is below --min-size 20).
  EXPECT_NE(r.out.find("\"octaves\":[[31,23],[44,32],[61,45]]"), std::string::npos) << r.out;
  const Tensor out = read_image(dir / "d.png");
  EXPECT_EQ(out.dim(1), 45);
  EXPECT_EQ(out.dim(2), 61);
  // The built-in model sees grey: the dream is grey, as its feature images are.
  EXPECT_NEAR(out[0], out[45 * 61], 1.0 / 255);
}

TEST(CliDream, FewerOctavesForASmallPhotoWithANote) {
  TempDir dir;
  const auto photo = write_photo(dir, "photo.png");
  const CliResult r = run_cli({"dream", kBuiltInModel, photo.string(), "-o",
                               (dir / "d.png").string(), "--steps", "1", "--octaves", "5"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // 45 -> 32 -> 23: only two octaves keep 32 px.
  EXPECT_NE(r.err.find("note: 5 octaves"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("used 2"), std::string::npos) << r.err;
  EXPECT_NE(r.out.find("wrote"), std::string::npos) << r.out;
}

TEST(CliDream, ARealPhotoFromDarknet) {
  if (!std::filesystem::exists(kDarknetPhoto))
    GTEST_SKIP() << "SKIPPED: " << kDarknetPhoto << " is missing (Debian package darknet's data)";
  TempDir dir;
  const CliResult r =
      run_cli({"dream", kBuiltInModel, kDarknetPhoto.string(), "-o", (dir / "dog.png").string(),
               "--steps", "1", "--octaves", "2", "--quiet"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const Tensor photo = read_image(kDarknetPhoto), out = read_image(dir / "dog.png");
  EXPECT_EQ(out.dim(1), photo.dim(1));
  EXPECT_EQ(out.dim(2), photo.dim(2));
}

TEST(CliDream, HelpStatesTheDefaults) {
  const CliResult help = run_cli({"dream", "--help"});
  ASSERT_EQ(help.exit_code, 0);
  EXPECT_NE(help.out.find("PHOTO_dream.png"), std::string::npos) << help.out;
  EXPECT_NE(help.out.find("inception_4c/output"), std::string::npos) << help.out;
}

TEST(CliDreamErrors, UnreadablePhoto) {
  TempDir dir;
  write_bytes(dir / "notes.txt", "not a picture\n");
  expect_cli_error(run_cli({"dream", kBuiltInModel, (dir / "notes.txt").string(), "-o",
                            (dir / "d.png").string()}),
                   1, {"notes.txt"});
  expect_cli_error(run_cli({"dream", kBuiltInModel, (dir / "absent.jpg").string(), "-o",
                            (dir / "d.png").string()}),
                   1, {"absent.jpg", "does not exist"});
  EXPECT_EQ(dir.list(), std::vector<std::string>{"notes.txt"});
}

TEST(CliDreamErrors, UnknownLayerSuggestsNames) {
  TempDir dir;
  const auto photo = write_photo(dir, "photo.png");
  expect_cli_error(run_cli({"dream", kBuiltInModel, photo.string(), "--layer", "inception_c/output",
                            "-o", (dir / "d.png").string()}),
                   1, {"inception_c/output", "inception_a/output"});
  EXPECT_EQ(dir.list(), std::vector<std::string>{"photo.png"});
}

TEST(CliDreamErrors, ModelWhoseInputIsNotAnImage) {
  TempDir dir;
  const auto file = write_model(vector_input_classifier(), dir / "vector.onnx");
  const auto photo = write_photo(dir, "photo.png");
  expect_cli_error(
      run_cli({"dream", file.string(), photo.string(), "-o", (dir / "d.png").string()}), 1,
      {"not an image input"});
  EXPECT_FALSE(std::filesystem::exists(dir / "d.png"));
}

TEST(CliDreamErrors, BadOctaveValues) {
  TempDir dir;
  const auto photo = write_photo(dir, "photo.png");
  const std::string out = (dir / "d.png").string();
  expect_cli_error(run_cli({"dream", kBuiltInModel, photo.string(), "-o", out, "--octaves", "0"}),
                   2, {"--octaves", "0"});
  expect_cli_error(
      run_cli({"dream", kBuiltInModel, photo.string(), "-o", out, "--octave-scale", "1"}), 2,
      {"--octave-scale"});
  expect_cli_error(
      run_cli({"dream", kBuiltInModel, photo.string(), "-o", out, "--octave-scale", "big"}), 2,
      {"--octave-scale", "big"});
  expect_cli_error(run_cli({"dream", kBuiltInModel, photo.string(), "-o", out, "--steps", "-1"}), 2,
                   {"--steps"});
  expect_cli_error(run_cli({"dream", kBuiltInModel, photo.string(), "-o", out, "--step-size", "0"}),
                   2, {"--step-size"});
  expect_cli_error(run_cli({"dream", kBuiltInModel}), 2, {"PHOTO"});
  EXPECT_EQ(dir.list(), std::vector<std::string>{"photo.png"});
}

TEST(CliDreamErrors, UnwritableOutputIsCheckedFirst) {
  TempDir dir;
  const auto photo = write_photo(dir, "photo.png");
  expect_cli_error(
      run_cli({"dream", kBuiltInModel, photo.string(), "-o", (dir / "missing" / "d.png").string()}),
      1, {"does not exist"});
  EXPECT_EQ(dir.list(), std::vector<std::string>{"photo.png"});
}

}  // namespace
}  // namespace neuroscope::testing
