// `neuroscope eval`: saved tensors, objective values and input gradients against independent
// oracles (the float64 reference network, Caffe's GoogLeNet activations, finite differences of
// the command's own printed objective).
#include <nlohmann/json.hpp>

#include <cmath>
#include <numeric>
#include <regex>

#include "neuroscope/model.h"
#include "neuroscope/npy.h"
#include "testing/fixtures.h"
#include "testing/ref_network.h"
#include "testing/testing.h"

namespace neuroscope::testing {
namespace {

namespace fs = std::filesystem;

class CliEval : public ::testing::Test {
 public:  // also used by gradient_error()
  TempDir dir;
  fs::path model = write_tiny_classifier(dir.path());

  // Writes `input` to a fresh .npy and runs eval with `flags` and --json; the parsed report.
  nlohmann::json eval_json(const fs::path& model_file, const Tensor& input,
                           std::vector<std::string> flags) {
    const fs::path file = dir / ("input" + std::to_string(runs_++) + ".npy");
    write_npy(file, input);
    std::vector<std::string> args = {"eval", model_file.string(), "--input", file.string(),
                                     "--json"};
    args.insert(args.end(), flags.begin(), flags.end());
    const CliResult r = run_cli(args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.err, "");
    if (r.exit_code != 0) return {};
    return nlohmann::json::parse(r.out);
  }

  // The float64 reference network's values of `tensors` for `input`.
  std::map<std::string, ref::RefTensor> reference(const fs::path& model_file, const Tensor& input,
                                                  const std::vector<std::string>& tensors) {
    const Model m = Model::load(model_file);
    ReferenceNetwork net(m, {{"data", input.shape()}}, tensors);
    return net.run({{"data", ref::from_tensor(input)}});
  }

 private:
  int runs_ = 0;
};

double sum_of_squares(const ref::RefTensor& t, int64_t channel) {
  const int64_t positions = t.size() / (t.shape[0] * t.shape[1]);
  double sum = 0;
  for (int64_t b = 0; b < t.shape[0]; ++b)
    for (int64_t i = 0; i < positions; ++i) {
      const double a = t.v[static_cast<size_t>((b * t.shape[1] + channel) * positions + i)];
      sum += a * a;
    }
  return sum;
}

struct GradientErrors {
  double along_gradient = INFINITY;  // |fd - <g, d>| / |<g, d>| for d = g / max|g|
  double along_random = INFINITY;    // sum |fd - <g, d>| / sum |<g, d>| over random d
};

// Checks `eval --grad` against central finite differences of the objective `eval` prints, with
// step h (in input units): along the gradient itself (a strong check: any error e in g with
// |e| > 0.1 |g| shows) and along `random_directions` random directions (uniform in [-1, 1] per
// element), the errors of the latter pooled so one direction nearly orthogonal to g does not
// dominate.
GradientErrors gradient_errors(CliEval& test, const fs::path& model_file, const Tensor& x,
                               const std::string& objective, double h, int random_directions,
                               unsigned seed) {
  const fs::path grad_file = test.dir / "grad.npy";
  const auto report =
      test.eval_json(model_file, x, {"--objective", objective, "--grad", grad_file.string()});
  if (report.is_null()) return {};
  const Tensor gradient = read_npy(grad_file);
  EXPECT_EQ(gradient.shape(), x.shape());
  if (gradient.shape() != x.shape()) return {};
  auto value_at = [&](const Tensor& direction, double step) {
    Tensor moved = x;
    for (int64_t i = 0; i < x.size(); ++i) moved[i] += static_cast<float>(step * direction[i]);
    const auto r = test.eval_json(model_file, moved, {"--objective", objective});
    return r.is_null() ? NAN : r["objective"]["value"].get<double>();
  };
  // (finite difference, <g, d>) along `direction`.
  auto compare = [&](const Tensor& direction) {
    double directional = 0;
    for (int64_t i = 0; i < x.size(); ++i)
      directional += static_cast<double>(gradient[i]) * direction[i];
    return std::pair((value_at(direction, h) - value_at(direction, -h)) / (2 * h), directional);
  };
  GradientErrors errors;
  Tensor along = gradient;
  float largest = 0;
  for (float g : gradient.values()) largest = std::max(largest, std::fabs(g));
  EXPECT_GT(largest, 0) << "the objective should depend on the input";
  for (float& v : along.values()) v /= largest;
  const auto [fd, directional] = compare(along);
  errors.along_gradient = std::fabs(fd - directional) / std::fabs(directional);
  double error_sum = 0, size_sum = 0;
  for (int k = 0; k < random_directions; ++k) {
    const auto [fd_k, directional_k] =
        compare(random_tensor(x.shape(), 1.0f, seed + static_cast<unsigned>(k)));
    error_sum += std::fabs(fd_k - directional_k);
    size_sum += std::fabs(directional_k);
  }
  errors.along_random = error_sum / size_sum;
  std::cout << objective << ": relative error along the gradient " << errors.along_gradient
            << ", along random directions " << errors.along_random << "\n";
  return errors;
}

TEST_F(CliEval, SavedTensorsMatchTheFloat64Reference) {
  // Batch 2 and a size other than the declared default: the .npy's shape sets the compile shape.
  const Tensor x = random_tensor({2, 3, 12, 10}, 2.0f, 11);
  const std::vector<std::string> names = {"conv1/pre_relu", "pool1", "conv2", "flat", "prob"};
  std::vector<fs::path> files;
  std::vector<std::string> flags;
  for (size_t i = 0; i < names.size(); ++i) {
    files.push_back(dir / ("saved_" + std::to_string(i)));
    flags.insert(flags.end(), {"--save", names[i] + "=" + files.back().string()});
  }
  const auto report = eval_json(model, x, flags);
  ASSERT_FALSE(report.is_null());
  const auto expected = reference(model, x, names);
  ASSERT_EQ(report["saved"].size(), names.size());
  for (size_t i = 0; i < names.size(); ++i) {
    SCOPED_TRACE(names[i]);
    const Tensor saved = read_npy(files[i]);
    EXPECT_LE(relative_error(saved, ref::to_tensor(expected.at(names[i]))), 1e-5);
    EXPECT_EQ(report["saved"][i]["tensor"], names[i]);
    EXPECT_EQ(report["saved"][i]["shape"], nlohmann::json(saved.shape()));
  }
  EXPECT_FALSE(report.contains("outputs")) << "with --save, no output summary";
}

TEST_F(CliEval, SummaryShowsTopClassesWithLabels) {
  const Tensor x = random_tensor({2, 3, 16, 16}, 3.0f, 12);
  const auto report = eval_json(model, x, {});
  ASSERT_FALSE(report.is_null());
  const ref::RefTensor prob = reference(model, x, {"prob"}).at("prob");
  const std::vector<std::string> labels = {"red", "green", "blue", "yellow", "violet"};
  ASSERT_EQ(report["outputs"].size(), 1u);
  const auto& out = report["outputs"][0];
  EXPECT_EQ(out["name"], "prob");
  EXPECT_EQ(out["shape"], nlohmann::json::parse("[2, 5]"));
  ASSERT_EQ(out["top"].size(), 2u);
  for (size_t image = 0; image < 2; ++image) {
    const auto& top = out["top"][image];
    ASSERT_EQ(top.size(), 5u);
    std::vector<size_t> expected_order(5);
    std::iota(expected_order.begin(), expected_order.end(), size_t{0});
    auto p = [&](size_t c) { return prob.v[image * 5 + c]; };
    std::sort(expected_order.begin(), expected_order.end(),
              [&](size_t a, size_t b) { return p(a) > p(b); });
    for (size_t k = 0; k < 5; ++k) {
      EXPECT_EQ(top[k]["class"], expected_order[k]);
      EXPECT_NEAR(top[k]["score"].get<double>(), p(expected_order[k]), 1e-5);
      EXPECT_EQ(top[k]["label"], labels[expected_order[k]]);
    }
  }
  // The human form names the classes too.
  write_npy(dir / "x.npy", x);
  const CliResult human = run_cli({"eval", model.string(), "--input", (dir / "x.npy").string()});
  ASSERT_EQ(human.exit_code, 0) << human.err;
  const std::string best = labels[out["top"][0][0]["class"].get<size_t>()];
  EXPECT_TRUE(
      std::regex_search(human.out, std::regex("image 0, top 5:\\n +class \\d +[0-9.]+ +" + best)))
      << human.out;
}

TEST_F(CliEval, ObjectiveIsTheTotalSquareActivityOfTheChannel) {
  const Tensor x = random_tensor({2, 3, 16, 16}, 3.0f, 13);
  const auto conv2 = reference(model, x, {"conv2"}).at("conv2");
  const auto report = eval_json(model, x, {"--objective", "conv2:3"});
  ASSERT_FALSE(report.is_null());
  const double expected = sum_of_squares(conv2, 3);
  ASSERT_GT(expected, 0) << "pick an input where the channel is active";
  EXPECT_NEAR(report["objective"]["value"].get<double>(), expected, 1e-5 * expected);
  EXPECT_EQ(report["objective"]["per_image"].size(), 2u);
  // Weighted combinations, as parse_objective allows.
  const auto mix = eval_json(model, x, {"--objective", "conv2:3 - 0.5*conv2:1"});
  ASSERT_FALSE(mix.is_null());
  const double expected_mix = expected - 0.5 * sum_of_squares(conv2, 1);
  EXPECT_NEAR(mix["objective"]["value"].get<double>(), expected_mix, 1e-5 * expected);
}

TEST_F(CliEval, ObjectiveGradientMatchesFiniteDifferences) {
  const Tensor x = random_tensor({1, 3, 16, 16}, 3.0f, 14);
  for (const std::string objective : {"conv2:3", "conv1/pre_relu:2", "conv2:1 - 0.5*pool1:0"}) {
    SCOPED_TRACE(objective);
    const GradientErrors errors = gradient_errors(*this, model, x, objective, 1e-3, 2, 15);
    EXPECT_LE(errors.along_gradient, 1e-3);  // measured: below 3e-5
    EXPECT_LE(errors.along_random, 1e-2);    // measured: below 1e-3
  }
}

TEST_F(CliEval, OutputsReplaceExistingFilesWholeAndLeaveNoTemporaries) {
  const fs::path out = dir / "conv2.npy";
  write_bytes(out, "old contents");
  const auto report = eval_json(model, random_tensor({1, 3, 16, 16}, 1.0f, 17),
                                {"--save", "conv2=" + out.string()});
  ASSERT_FALSE(report.is_null());
  EXPECT_EQ(read_npy(out).shape(), (Shape{1, 6, 8, 8}));
  for (const std::string& name : dir.list())
    EXPECT_FALSE(name.starts_with(".")) << "temporary file left behind: " << name;
}

TEST_F(CliEval, HumanOutputReportsEachProduct) {
  write_npy(dir / "x.npy", random_tensor({1, 3, 16, 16}, 1.0f, 18));
  const CliResult r = run_cli({"eval", model.string(), "--input", (dir / "x.npy").string(),
                               "--save", "pool1=" + (dir / "p.npy").string(), "--objective",
                               "conv2:0", "--grad", (dir / "g.npy").string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(std::regex_search(r.out, std::regex("objective +conv2:0 = [0-9.e+-]+\\n"))) << r.out;
  EXPECT_TRUE(std::regex_search(r.out, std::regex("saved +pool1 \\[1,4,8,8\\] -> .*p\\.npy\\n")))
      << r.out;
  EXPECT_TRUE(std::regex_search(
      r.out, std::regex("gradient +d\\(objective\\)/d\\(data\\) \\[1,3,16,16\\] -> .*g\\.npy\\n")))
      << r.out;
}

TEST_F(CliEval, LabelsThatDoNotFitAreNotUsed) {
  write_bytes(dir / "tiny.labels.txt", "only\ntwo\n");
  const auto report = eval_json(model, random_tensor({1, 3, 16, 16}, 1.0f, 22), {});
  ASSERT_FALSE(report.is_null());
  EXPECT_FALSE(report["outputs"][0]["top"][0][0].contains("label"));
  EXPECT_NE(report.value("labels_note", "").find("2 names for 5 classes"), std::string::npos)
      << report.dump();
}

TEST_F(CliEval, ModelsWithSeveralInputsTakeNamedInputs) {
  const fs::path two = write_model(two_input_concat(), dir / "two.onnx");
  const Tensor a = random_tensor({1, 1, 4, 5}, 1.0f, 23), b = random_tensor({1, 2, 4, 5}, 1.0f, 24);
  write_npy(dir / "a.npy", a);
  write_npy(dir / "b.npy", b);
  const CliResult r =
      run_cli({"eval", two.string(), "--input", "b=" + (dir / "b.npy").string(), "--input",
               "a=" + (dir / "a.npy").string(), "--save", "ab=" + (dir / "ab.npy").string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const Tensor ab = read_npy(dir / "ab.npy");
  ASSERT_EQ(ab.shape(), (Shape{1, 3, 4, 5}));
  for (int64_t i = 0; i < 20; ++i) {
    EXPECT_EQ(ab[i], a[i]);
    EXPECT_EQ(ab[20 + i], b[i]);
    EXPECT_EQ(ab[40 + i], b[20 + i]);
  }
  expect_cli_error(run_cli({"eval", two.string(), "--input", (dir / "a.npy").string()}), 2,
                   {"2 inputs (a, b)", "--input NAME="});
  expect_cli_error(run_cli({"eval", two.string(), "--input", "a=" + (dir / "a.npy").string()}), 2,
                   {"no --input for model input 'b'"});
  expect_cli_error(run_cli({"eval", two.string(), "--input", "a=" + (dir / "a.npy").string(),
                            "--input", "a=" + (dir / "b.npy").string()}),
                   2, {"--input", "twice", "'a'"});
}

// ---- the real GoogLeNet ----

TEST_F(CliEval, GoogLeNetSaveReproducesCaffe) {
  const fs::path ref_dir = googlenet_dir() / "reference";
  NS_REQUIRE_SHARED(ref_dir);
  const fs::path out = dir / "4d.npy";
  const CliResult r =
      run_cli({"eval", (googlenet_dir() / "googlenet-bvlc.onnx").string(), "--input",
               (ref_dir / "data.npy").string(), "--save", "inception_4d/output=" + out.string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_LE(relative_error(read_npy(out), read_npy(ref_dir / "inception_4d_output.npy")), 1e-4);
}

TEST_F(CliEval, GoogLeNetSummaryNamesEspresso) {
  const fs::path ref_dir = googlenet_dir() / "reference";
  NS_REQUIRE_SHARED(ref_dir);
  const CliResult r = run_cli({"eval", (googlenet_dir() / "googlenet-bvlc.onnx").string(),
                               "--input", (ref_dir / "data.npy").string(), "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto top = nlohmann::json::parse(r.out)["outputs"][0]["top"][0];
  EXPECT_EQ(top[0]["class"], 967);
  EXPECT_EQ(top[0]["label"], "espresso");  // labels.txt next to the model
  EXPECT_NEAR(top[0]["score"].get<double>(), 0.9949, 1e-4);
}

TEST_F(CliEval, GoogLeNetGradientMatchesFiniteDifferences) {
  const fs::path file = googlenet_dir() / "googlenet-bvlc.onnx";
  NS_REQUIRE_SHARED(file);
  // Pixels at the scale of mean-subtracted 0..255 images. The step is 2e-4 of that scale: the
  // network is piecewise linear (ReLU, max pooling), and larger steps cross enough kinks to move
  // the differences by several percent, while float32 rounding stays far below that. Measured
  // over seeds at 224x224: along the gradient <= 0.3%, along 3 pooled random directions <= 3%
  // (also for inception_3b/output:5). At 64x64 the random directions were noisier (up to 5%
  // pooled, 20% single), so the test uses the network's own size.
  const Tensor x = random_tensor({1, 3, 224, 224}, 50.0f, 19);
  const GradientErrors errors =
      gradient_errors(*this, file, x, "inception_4d/output:97", 0.01, 3, 20);
  EXPECT_LE(errors.along_gradient, 0.01);
  EXPECT_LE(errors.along_random, 0.05);
}

}  // namespace
}  // namespace neuroscope::testing
