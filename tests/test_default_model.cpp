// The default model that ships in models/ (trained by tools/train_default_model/train.py):
// our engine, fed the Fashion-MNIST test set preprocessed exactly as the model's metadata
// says, must classify at least 90% of it correctly and agree with the accuracy PyTorch
// measured at training time.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "neuroscope/model.h"
#include "neuroscope/network.h"
#include "testing/testing.h"

namespace neuroscope {
namespace {

namespace fs = std::filesystem;

const fs::path kModelDir = fs::path(NEUROSCOPE_SOURCE_DIR) / "models";
const fs::path kModelPath = kModelDir / "fashion_inception.onnx";
// Installed by Debian's dataset-fashion-mnist, a dependency scripts/setup.sh installs.
const fs::path kDatasetDir = "/usr/share/datasets/fashion-mnist";
constexpr int64_t kClasses = 10;
constexpr int64_t kBatch = 500;

// ------------------------------------------------------------------------------ data

// The whole output of `gzip -dc path` (gzip is everywhere; zlib is not a dependency).
std::vector<uint8_t> gunzip(const fs::path& path) {
  const std::string command = "gzip -dc '" + path.string() + "'";
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(command.c_str(), "r"), pclose);
  if (!pipe) throw std::runtime_error("cannot run: " + command);
  std::vector<uint8_t> bytes;
  uint8_t chunk[1 << 16];
  size_t n = 0;
  while ((n = std::fread(chunk, 1, sizeof chunk, pipe.get())) > 0)
    bytes.insert(bytes.end(), chunk, chunk + n);
  if (pclose(pipe.release()) != 0) throw std::runtime_error("failed: " + command);
  return bytes;
}

// An IDX file of unsigned bytes: 0, 0, type 0x08, rank, big-endian uint32 dims, elements.
struct IdxBytes {
  std::vector<int64_t> dims;
  std::vector<uint8_t> values;
};

IdxBytes read_idx(const fs::path& path) {
  std::vector<uint8_t> bytes = gunzip(path);
  if (bytes.size() < 4 || bytes[0] != 0 || bytes[1] != 0 || bytes[2] != 0x08)
    throw std::runtime_error(path.string() + ": not an unsigned-byte IDX file");
  const size_t rank = bytes[3], header = 4 + 4 * rank;
  if (bytes.size() < header) throw std::runtime_error(path.string() + ": truncated header");
  IdxBytes idx;
  int64_t count = 1;
  for (size_t d = 0; d < rank; ++d) {
    const uint8_t* p = &bytes[4 + 4 * d];
    idx.dims.push_back(int64_t{p[0]} << 24 | int64_t{p[1]} << 16 | int64_t{p[2]} << 8 | p[3]);
    count *= idx.dims.back();
  }
  if (bytes.size() - header != static_cast<size_t>(count))
    throw std::runtime_error(path.string() + ": size does not match its header");
  idx.values.assign(bytes.begin() + static_cast<std::ptrdiff_t>(header), bytes.end());
  return idx;
}

// ------------------------------------------------------------------------ preprocessing

std::string required_metadata(const Model& model, const std::string& key) {
  auto value = model.metadata_value(key);
  if (!value) throw std::runtime_error(kModelPath.string() + ": no metadata key " + key);
  return *value;
}

double parse_number(const std::string& text) {
  size_t used = 0;
  const double value = std::stod(text, &used);
  if (used != text.size()) throw std::runtime_error("not a number: '" + text + "'");
  return value;
}

// "0.28,0.35" -> {0.28, 0.35}
std::vector<double> parse_numbers(const std::string& text) {
  std::vector<double> values;
  std::stringstream stream(text);
  for (std::string item; std::getline(stream, item, ',');) values.push_back(parse_number(item));
  return values;
}

// What the metadata says a grayscale image must go through: byte / 255 * scale, then
// (value - mean) / std.
struct Preprocessing {
  double scale = 0, mean = 0, stddev = 0;

  static Preprocessing from(const Model& model) {
    EXPECT_EQ(required_metadata(model, "input_color_order"), "GRAY");
    const std::vector<double> means = parse_numbers(required_metadata(model, "input_mean"));
    const std::vector<double> stddevs = parse_numbers(required_metadata(model, "input_std"));
    if (means.size() != 1 || stddevs.size() != 1)
      throw std::runtime_error("a grayscale model needs one input_mean and one input_std");
    return {parse_number(required_metadata(model, "input_scale")), means[0], stddevs[0]};
  }
  float operator()(uint8_t pixel) const {
    return static_cast<float>((pixel / 255.0 * scale - mean) / stddev);
  }
};

struct TestSet {
  IdxBytes images, labels;
  int64_t size() const { return labels.dims.at(0); }
  int64_t pixels_per_image() const { return images.dims.at(1) * images.dims.at(2); }
};

TestSet read_test_set() {
  TestSet set{read_idx(kDatasetDir / "t10k-images-idx3-ubyte.gz"),
              read_idx(kDatasetDir / "t10k-labels-idx1-ubyte.gz")};
  if (set.images.dims.size() != 3 || set.labels.dims.size() != 1 ||
      set.images.dims[0] != set.labels.dims[0])
    throw std::runtime_error("Fashion-MNIST test images and labels do not match");
  return set;
}

int64_t argmax(const float* values, int64_t n) {
  return std::max_element(values, values + n) - values;
}

// Fraction of the test set whose top logit is the true label, run in batches of kBatch.
double engine_accuracy(const Model& model, const TestSet& set) {
  const Preprocessing preprocess = Preprocessing::from(model);
  const std::string input = model.inputs().at(0).name;
  const Shape shape = {kBatch, 1, set.images.dims[1], set.images.dims[2]};
  Network net(model, {.input_shapes = {{input, shape}}, .outputs = {"logits"}, .gradients = false});
  int64_t correct = 0;
  for (int64_t first = 0; first < set.size(); first += kBatch) {
    const int64_t count = std::min(kBatch, set.size() - first);
    const uint8_t* pixels = &set.images.values[first * set.pixels_per_image()];
    float* x = net.input().data();
    std::transform(pixels, pixels + count * set.pixels_per_image(), x, preprocess);
    net.forward();
    const float* logits = net.output("logits").data();
    for (int64_t i = 0; i < count; ++i)
      correct += argmax(logits + i * kClasses, kClasses) == set.labels.values[first + i];
  }
  return static_cast<double>(correct) / static_cast<double>(set.size());
}

// ---------------------------------------------------------------------------------- tests

TEST(DefaultModel, ShipsSmallWithPreprocessingMetadata) {
  ASSERT_TRUE(fs::exists(kModelPath))
      << kModelPath << " is missing; tools/train_default_model/train.py writes it";
  EXPECT_LT(fs::file_size(kModelPath), 2u << 20) << "the default model must stay under 2 MB";
  const Model model = Model::load(kModelPath);
  EXPECT_EQ(model.opset(), 13);
  for (const char* key :
       {"input_color_order", "input_scale", "input_mean", "input_std", "default_size", "model_name",
        "labels", "training_script", "seed", "test_accuracy"})
    EXPECT_TRUE(model.metadata_value(key).has_value()) << "metadata key " << key << " missing";
  EXPECT_EQ(model.metadata_value("default_size"), "28");
  EXPECT_EQ(to_string(model.default_input_shape()), "[1,1,28,28]");

  // The JSON beside the model states the same preprocessing.
  std::ifstream json_file(kModelDir / "fashion_inception.json");
  ASSERT_TRUE(json_file) << "models/fashion_inception.json is missing";
  const nlohmann::json json = nlohmann::json::parse(json_file);
  EXPECT_EQ(json.at("input_color_order"), model.metadata_value("input_color_order"));
  EXPECT_EQ(json.at("default_size").get<int>(), 28);
  EXPECT_DOUBLE_EQ(json.at("input_scale").get<double>(),
                   parse_number(*model.metadata_value("input_scale")));
  EXPECT_NEAR(json.at("input_mean").at(0).get<double>(),
              parse_number(*model.metadata_value("input_mean")), 1e-6);
  EXPECT_NEAR(json.at("input_std").at(0).get<double>(),
              parse_number(*model.metadata_value("input_std")), 1e-6);

  // One class name per line, as many as there are logits.
  std::ifstream labels(kModelDir / *model.metadata_value("labels"));
  ASSERT_TRUE(labels) << "the labels file named by the metadata is missing";
  std::vector<std::string> names;
  for (std::string line; std::getline(labels, line);) names.push_back(line);
  ASSERT_EQ(names.size(), static_cast<size_t>(kClasses));
  EXPECT_EQ(names.front(), "T-shirt/top");
  EXPECT_EQ(names.back(), "Ankle boot");
}

TEST(DefaultModel, HasDynamicSizeAndReadableTensorNames) {
  const Model model = Model::load(kModelPath);
  const ModelInput input = model.inputs().at(0);
  EXPECT_EQ(input.name, "image");
  EXPECT_EQ(input.dim_names, (std::vector<std::string>{"N", "", "H", "W"}));
  // The layers docs/default_model.md recommends, at a size larger than the training images.
  const std::vector<std::string> layers = {"stem/conv1",         "stem/norm1", "inception_a/output",
                                           "inception_b/output", "pool/gap",   "logits"};
  Network net(model,
              {.input_shapes = {{"image", {2, 1, 64, 48}}}, .outputs = layers, .gradients = false});
  net.forward();
  EXPECT_EQ(to_string(net.output("stem/conv1").shape()), "[2,32,64,48]");
  EXPECT_EQ(to_string(net.output("inception_a/output").shape()), "[2,112,32,24]");
  EXPECT_EQ(to_string(net.output("inception_b/output").shape()), "[2,160,16,12]");
  EXPECT_EQ(to_string(net.output("logits").shape()), "[2,10]");
}

TEST(DefaultModel, ClassifiesFashionMnistTestSet) {
  ASSERT_TRUE(fs::exists(kDatasetDir / "t10k-images-idx3-ubyte.gz"))
      << "Fashion-MNIST is missing from " << kDatasetDir
      << ": run scripts/setup.sh (it installs Debian's dataset-fashion-mnist)";
  const Model model = Model::load(kModelPath);
  const TestSet set = read_test_set();
  ASSERT_EQ(set.size(), 10000);
  const double accuracy = engine_accuracy(model, set);
  const double pytorch = parse_number(required_metadata(model, "test_accuracy"));
  std::cout << "neuroscope accuracy on the Fashion-MNIST test set: " << accuracy
            << " (PyTorch at training time: " << pytorch << ")\n";
  EXPECT_GE(accuracy, 0.90);
  // Float rounding may flip a handful of near-ties, no more.
  EXPECT_NEAR(accuracy, pytorch, 0.002);
}

}  // namespace
}  // namespace neuroscope
