// Whole torchvision networks against PyTorch: outputs, an internal tensor, and the value and
// input gradient of two "total square activity" objectives (one internal channel, one logit).
//
// The expected values come from tools/torch_crosscheck/export.py, which ctest runs first as the
// fixture `torch_crosscheck_export` (writing <build>/torch_crosscheck/manifest.json). Every
// comparison is max|a - b| / max|b| against PyTorch's float32 results. The exporter picks inputs
// at which the gradients do not hinge on float32 rounding (see choose_stable_input there), so a
// tight tolerance holds for every model.
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <set>
#include <string>
#include <vector>

#include "neuroscope/model.h"
#include "neuroscope/network.h"
#include "neuroscope/npy.h"
#include "neuroscope/objective.h"
#include "testing/testing.h"

namespace neuroscope {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using testing::relative_error;

constexpr double kTolerance = 1e-4;

// The models export.py writes; a test checks the manifest lists exactly these.
const std::vector<std::string> kModels = {
    "alexnet",        "vgg11",       "resnet18",     "squeezenet1_0",      "googlenet",
    "inception_v3",   "densenet121", "mobilenet_v2", "mobilenet_v3_small", "shufflenet_v2_x0_5",
    "efficientnet_b0"};

fs::path export_dir() {
  return fs::path(NEUROSCOPE_BINARY_DIR) / "torch_crosscheck";
}

// The manifest, or null after a test failure saying how to produce it.
json load_manifest() {
  const fs::path path = export_dir() / "manifest.json";
  std::ifstream in(path);
  if (!in) {
    ADD_FAILURE() << "missing " << path.string()
                  << ": run the ctest fixture torch_crosscheck_export (ctest runs it before these"
                     " tests), or: /usr/bin/python3 tools/torch_crosscheck/export.py "
                  << export_dir().string();
    return nullptr;
  }
  return json::parse(in);
}

const json* find_model(const json& manifest, const std::string& name) {
  for (const json& entry : manifest.at("models"))
    if (entry.at("name") == name) return &entry;
  return nullptr;
}

Tensor read_exported(const json& file_name) {
  return read_npy(export_dir() / file_name.get<std::string>());
}

void expect_close(const std::string& what, const Tensor& actual, const Tensor& expected) {
  const double err = relative_error(actual, expected);
  std::cout << what << ": relative error " << err << "\n";
  EXPECT_LE(err, kTolerance) << what;
}

// Runs one objective (the square activity of one channel) forward and backward and compares
// its value and input gradient with PyTorch's.
void check_objective(const std::string& model, Network& net, const std::string& input,
                     const json& expected) {
  const std::string tensor = expected.at("tensor");
  const int64_t channel = expected.at("channel");
  const std::string what = model + " objective " + tensor + ":" + std::to_string(channel);
  for (const std::string& name : net.output_names()) net.output_gradient(name).fill(0.0f);
  BoundObjective objective(
      Objective::channel(tensor, channel),
      [&](const std::string& n) -> const Tensor& { return net.output(n); },
      [&](const std::string& n) -> Tensor& { return net.output_gradient(n); });
  net.forward();
  objective.evaluate();
  net.backward();

  const double value = objective.total(), expected_value = expected.at("value");
  const double value_err = std::fabs(value - expected_value) / std::fabs(expected_value);
  std::cout << what << ": value " << value << " vs " << expected_value << ", relative error "
            << value_err << "\n";
  EXPECT_LE(value_err, kTolerance) << what << ": value " << value << " vs " << expected_value;
  expect_close(what + " input gradient", net.input_gradient(input),
               read_exported(expected.at("gradient")));
}

TEST(TorchCrosscheck, ManifestListsTheTestedModels) {
  const json manifest = load_manifest();
  if (manifest.is_null()) return;
  std::set<std::string> exported;
  for (const json& entry : manifest.at("models")) exported.insert(entry.at("name"));
  EXPECT_EQ(exported, std::set<std::string>(kModels.begin(), kModels.end()));
}

class TorchCrosscheck : public ::testing::TestWithParam<std::string> {};

TEST_P(TorchCrosscheck, MatchesPyTorch) {
  const std::string& name = GetParam();
  const json manifest = load_manifest();
  if (manifest.is_null()) return;
  const json* entry = find_model(manifest, name);
  ASSERT_NE(entry, nullptr) << name << " is not in the manifest; rerun the export";

  const Model model = Model::load(export_dir() / entry->at("onnx").get<std::string>());
  const Tensor input = read_exported(entry->at("input").at("file"));
  const std::string input_name = entry->at("input").at("tensor");
  std::vector<std::string> outputs;
  for (const json& o : entry->at("outputs")) outputs.push_back(o.at("tensor"));
  Network net(model, {.input_shapes = {{input_name, input.shape()}}, .outputs = outputs});
  std::copy(input.values().begin(), input.values().end(), net.input(input_name).values().begin());

  net.forward();
  for (const json& o : entry->at("outputs"))
    expect_close(name + " output " + o.at("tensor").get<std::string>(),
                 net.output(o.at("tensor").get<std::string>()), read_exported(o.at("file")));
  for (const json& objective : entry->at("objectives"))
    check_objective(name, net, input_name, objective);
}

INSTANTIATE_TEST_SUITE_P(Torchvision, TorchCrosscheck, ::testing::ValuesIn(kModels),
                         [](const ::testing::TestParamInfo<std::string>& model) {
                           return model.param;
                         });

}  // namespace
}  // namespace neuroscope
