// ONNX's own operator tests (Debian's libonnx-testdata: one directory per test holding
// model.onnx and test_data_set_N/{input,output}_K.pb) run through Model::load and Network.
//
// Every directory whose top-level nodes use at least one engine operator becomes one test,
// named after the directory. Node tests feed weights and parameters (Conv W, Gemm B, Pad pads,
// Reshape shape, ...) as graph inputs, while the engine wants them constant: the runner turns
// non-float inputs, and every input the engine rejects as "must be a constant", into
// initializers holding the test's data, and retries. Failures that are documented limitations
// are listed in skip_table() below and reported with GTEST_SKIP and their reason; a listed test
// that passes fails, so the table cannot go stale. A summary line is printed at the end.
#include <onnx/onnx_pb.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "neuroscope/error.h"
#include "neuroscope/model.h"
#include "neuroscope/network.h"
#include "onnx/onnx_loader.h"
#include "ops/op.h"
#include "testing/testing.h"

namespace neuroscope {
namespace {

namespace fs = std::filesystem;

// ---------------------------------------------------------------------------------------------
// Documented limitations. Each group: why, a fragment the failure message must contain (so a
// listed test that starts failing for another reason is not hidden; "" accepts any failure),
// and the test directories.

struct SkipGroup {
  const char* reason;
  const char* error_contains;
  std::vector<const char*> tests;
};

const std::vector<SkipGroup>& skip_table() {
  static const std::vector<SkipGroup> groups = {
      {"the loader accepts opsets 7 to 17; these models declare an older opset",
       "neuroscope supports opsets",
       {"test_elu", "test_elu_default", "test_elu_example", "test_globalaveragepool",
        "test_globalaveragepool_precomputed", "test_globalmaxpool",
        "test_globalmaxpool_precomputed", "test_hardsigmoid", "test_hardsigmoid_default",
        "test_hardsigmoid_example", "test_softplus", "test_softplus_example"}},
      {"the engine computes in float32; integer tensors only appear as constants (shapes, "
       "axes, pads), so a model whose only run-time inputs are integer tensors has nothing to "
       "run",
       "has no run-time input",
       {"test_add_uint8", "test_clip_default_int8_inbounds", "test_clip_default_int8_max",
        "test_clip_default_int8_min", "test_div_uint8", "test_edge_pad", "test_maxpool_2d_uint8",
        "test_mul_uint8", "test_reflect_pad", "test_sub_uint8"}},
      {"MaxPool's Indices output (argmax) is not supported",
       "Indices output is not supported",
       {"test_maxpool_with_argmax_2d_precomputed_pads",
        "test_maxpool_with_argmax_2d_precomputed_strides"}},
      {"BatchNormalization's training mode (batch statistics, running-mean outputs) is not "
       "supported",
       "training mode",
       {"test_batchnorm_epsilon_training_mode", "test_batchnorm_example_training_mode"}},
      {"tensors with a zero-sized dimension are not supported",
       "",
       {"test_reshape_allowzero_reordered", "test_slice_start_out_of_bounds",
        "test_split_zero_size_splits"}},
      {"the expanded (function body) form uses operators neuroscope does not implement "
       "(ReduceMax, ReduceSum, ReduceMin, Round, QuantizeLinear, Loop)",
       "unsupported operators",
       {"test_dynamicquantizelinear_expanded", "test_dynamicquantizelinear_max_adjusted_expanded",
        "test_dynamicquantizelinear_min_adjusted_expanded", "test_logsoftmax_axis_0_expanded",
        "test_logsoftmax_axis_1_expanded", "test_logsoftmax_axis_2_expanded",
        "test_logsoftmax_default_axis_expanded", "test_logsoftmax_example_1_expanded",
        "test_logsoftmax_large_number_expanded", "test_logsoftmax_negative_axis_expanded",
        "test_range_float_type_positive_delta_expanded", "test_softmax_axis_0_expanded",
        "test_softmax_axis_1_expanded", "test_softmax_axis_2_expanded",
        "test_softmax_default_axis_expanded", "test_softmax_example_expanded",
        "test_softmax_large_number_expanded", "test_softmax_negative_axis_expanded"}},
      {"the expanded (function body) form applies ops that neuroscope only folds on constants "
       "(Cast, Pow, Sqrt, Reciprocal) to run-time tensors",
       "is supported only on constant inputs",
       {"test_layer_normalization_2d_axis0_expanded",
        "test_layer_normalization_2d_axis1_expanded",
        "test_layer_normalization_2d_axis_negative_1_expanded",
        "test_layer_normalization_2d_axis_negative_2_expanded",
        "test_layer_normalization_3d_axis0_epsilon_expanded",
        "test_layer_normalization_3d_axis1_epsilon_expanded",
        "test_layer_normalization_3d_axis2_epsilon_expanded",
        "test_layer_normalization_3d_axis_negative_1_epsilon_expanded",
        "test_layer_normalization_3d_axis_negative_2_epsilon_expanded",
        "test_layer_normalization_3d_axis_negative_3_epsilon_expanded",
        "test_layer_normalization_4d_axis0_expanded",
        "test_layer_normalization_4d_axis1_expanded",
        "test_layer_normalization_4d_axis2_expanded",
        "test_layer_normalization_4d_axis3_expanded",
        "test_layer_normalization_4d_axis_negative_1_expanded",
        "test_layer_normalization_4d_axis_negative_2_expanded",
        "test_layer_normalization_4d_axis_negative_3_expanded",
        "test_layer_normalization_4d_axis_negative_4_expanded",
        "test_layer_normalization_default_axis_expanded",
        "test_mvn_expanded"}},
  };
  return groups;
}

const SkipGroup* find_skip(const std::string& test) {
  for (const SkipGroup& g : skip_table())
    for (const char* name : g.tests)
      if (test == name) return &g;
  return nullptr;
}

// ---------------------------------------------------------------------------------------------
// Reading the test data.

// The build's data folder; the environment variable of the same name overrides it.
fs::path data_root() {
  const char* env = std::getenv("NEUROSCOPE_ONNX_TESTDATA");
  return env && *env ? fs::path(env) : fs::path(NEUROSCOPE_ONNX_TESTDATA);
}

template <typename Proto>
Proto read_proto(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  Proto proto;
  if (!in || !proto.ParseFromIstream(&in))
    throw error("cannot parse '", path.string(), "' as ", Proto::descriptor()->name());
  return proto;
}

bool is_float_type(int elem_type) {
  return elem_type == onnx::TensorProto::FLOAT || elem_type == onnx::TensorProto::DOUBLE ||
         elem_type == onnx::TensorProto::FLOAT16;
}

// Graph inputs fed at run time (initializers may also be listed as inputs), in order.
std::vector<const onnx::ValueInfoProto*> runtime_inputs(const onnx::GraphProto& g) {
  std::set<std::string> initialized;
  for (const auto& init : g.initializer()) initialized.insert(init.name());
  std::vector<const onnx::ValueInfoProto*> out;
  for (const auto& in : g.input())
    if (!initialized.count(in.name())) out.push_back(&in);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Which directories are tests of the engine.

struct Survey {
  std::vector<std::string> applicable;
  std::map<std::string, std::vector<std::string>> not_applicable;  // why -> directories
};

bool is_engine_op(const onnx::NodeProto& node) {
  return (node.domain().empty() || node.domain() == "ai.onnx") && ops::find_op(node.op_type());
}

// Why a model is not a test of the engine, or "" when it is: it uses no engine operator, or a
// non-float run-time input (or integer data computed from it) feeds an op the engine lacks.
std::string why_not_applicable(const onnx::ModelProto& model) {
  const onnx::GraphProto& g = model.graph();
  bool any_engine_op = false;
  for (const auto& node : g.node())
    if (is_engine_op(node)) any_engine_op = true;
  if (!any_engine_op) return "uses no engine operator";
  std::set<std::string> integer_data;
  for (const onnx::ValueInfoProto* in : runtime_inputs(g))
    if (!is_float_type(in->type().tensor_type().elem_type())) integer_data.insert(in->name());
  for (const auto& node : g.node()) {
    bool reads_integers = false;
    for (const std::string& in : node.input()) reads_integers |= integer_data.count(in) > 0;
    if (!reads_integers) continue;
    if (!is_engine_op(node)) return "non-float run-time input reaches a non-engine operator";
    // An engine op reading float data (input 0) computes float; otherwise it moves integers.
    if (node.input_size() > 0 && integer_data.count(node.input(0)))
      for (const std::string& out : node.output()) integer_data.insert(out);
  }
  return "";
}

const Survey& survey() {
  static const Survey s = [] {
    Survey result;
    std::error_code ec;
    if (!fs::is_directory(data_root(), ec)) return result;
    std::vector<fs::path> dirs;
    for (const auto& entry : fs::directory_iterator(data_root()))
      if (fs::exists(entry.path() / "model.onnx")) dirs.push_back(entry.path());
    std::sort(dirs.begin(), dirs.end());
    for (const fs::path& dir : dirs) {
      const std::string name = dir.filename().string();
      std::string why;
      try {
        why = why_not_applicable(read_proto<onnx::ModelProto>(dir / "model.onnx"));
      } catch (const Error&) {
        why = "model.onnx does not parse";
      }
      if (why.empty())
        result.applicable.push_back(name);
      else
        result.not_applicable[why].push_back(name);
    }
    return result;
  }();
  return s;
}

// ---------------------------------------------------------------------------------------------
// Running one data set.

struct Outcome {
  bool passed = false;
  std::string message;  // what went wrong
};

// The name in "... (input 1, 'W') must be a constant ..." messages (OpContext/ShapeContext).
std::string rejected_constant(const std::string& message) {
  const size_t end = message.find("') must be a constant");
  if (end == std::string::npos) return "";
  const size_t begin = message.rfind('\'', end - 1);
  return begin == std::string::npos ? "" : message.substr(begin + 1, end - begin - 1);
}

// The test's model with the inputs in `frozen` turned into initializers holding `values`.
fs::path write_frozen_model(onnx::ModelProto model,
                            const std::map<std::string, onnx::TensorProto>& values,
                            const std::set<std::string>& frozen, const std::string& test) {
  for (const std::string& name : frozen) {
    onnx::TensorProto* init = model.mutable_graph()->add_initializer();
    *init = values.at(name);
    init->set_name(name);
  }
  const fs::path path = fs::temp_directory_path() /
                        ("neuroscope_" + test + "_" + std::to_string(::getpid()) + ".onnx");
  std::ofstream out(path, std::ios::binary);
  if (!out || !model.SerializeToOstream(&out)) throw error("cannot write '", path.string(), "'");
  return path;
}

// Passes when max |a - b| <= max(1e-4 * max |b|, 1e-5) over finite expected values; non-finite
// expected values must be matched exactly.
std::string compare(const std::string& name, const Tensor& actual,
                    const graph::Constant& expected) {
  if (actual.shape() != expected.shape)
    return "output '" + name + "' has shape " + to_string(actual.shape()) + ", expected " +
           to_string(expected.shape);
  const std::vector<float> want = expected.as_floats();
  double max_diff = 0, max_ref = 0;
  int64_t worst = -1;
  for (int64_t i = 0; i < actual.size(); ++i) {
    const double a = actual[i], b = want[static_cast<size_t>(i)];
    if (!std::isfinite(b)) {
      if (std::isnan(b) ? !std::isnan(a) : a != b)
        return "output '" + name + "' element " + std::to_string(i) + " is " + std::to_string(a) +
               ", expected " + std::to_string(b);
      continue;
    }
    max_ref = std::max(max_ref, std::fabs(b));
    const double diff = std::isnan(a) ? INFINITY : std::fabs(a - b);
    if (diff > max_diff) {
      max_diff = diff;
      worst = i;
    }
  }
  if (max_diff <= std::max(1e-4 * max_ref, 1e-5)) return "";
  std::ostringstream msg;
  msg << "output '" << name << "' differs: max |diff| " << max_diff << " at element " << worst
      << " (engine " << actual[worst] << ", expected " << want[static_cast<size_t>(worst)]
      << "), max |expected| " << max_ref;
  return msg.str();
}

Outcome run_with(const fs::path& model_path, const onnx::GraphProto& g, const fs::path& set_dir,
                 const std::map<std::string, onnx::TensorProto>& values,
                 const std::set<std::string>& frozen) {
  Model model = Model::load(model_path);
  NetworkOptions options{.outputs = model.outputs(), .gradients = false};
  std::map<std::string, graph::Constant> fed;
  for (const auto& [name, proto] : values) {
    if (frozen.count(name)) continue;
    fed[name] = onnx_io::load_tensor(set_dir / (proto.name() + ".pb"));
    options.input_shapes[name] = fed[name].shape;
  }
  Network net(model, options);
  for (const auto& [name, c] : fed) {
    const std::vector<float> v = c.as_floats();
    std::copy(v.begin(), v.end(), net.input(name).values().begin());
  }
  net.forward();
  for (int k = 0; k < g.output_size(); ++k) {
    const graph::Constant expected =
        onnx_io::load_tensor(set_dir / ("output_" + std::to_string(k) + ".pb"));
    const std::string diff = compare(g.output(k).name(), net.output(g.output(k).name()), expected);
    if (!diff.empty()) return {false, diff};
  }
  return {true, ""};
}

// `message` with the temporary model's path replaced by the test's own model.
std::string naming_original(std::string message, const fs::path& temporary,
                            const fs::path& original) {
  const std::string from = temporary.string(), to = original.string();
  for (size_t at = message.find(from); at != std::string::npos;
       at = message.find(from, at + to.size()))
    message.replace(at, from.size(), to);
  return message;
}

Outcome run_data_set(const std::string& test, const fs::path& set_dir) {
  const fs::path dir = data_root() / test;
  const auto model = read_proto<onnx::ModelProto>(dir / "model.onnx");
  const auto inputs = runtime_inputs(model.graph());
  // Input tensors keyed by graph input name; the proto's own name is replaced by its file stem
  // (input_K) so run_with can load float ones with the library's tensor reader.
  std::map<std::string, onnx::TensorProto> values;
  std::set<std::string> frozen;
  for (size_t k = 0; k < inputs.size(); ++k) {
    const std::string stem = "input_" + std::to_string(k);
    onnx::TensorProto t = read_proto<onnx::TensorProto>(set_dir / (stem + ".pb"));
    t.set_name(stem);
    values[inputs[k]->name()] = t;
    if (!is_float_type(t.data_type())) frozen.insert(inputs[k]->name());
  }
  for (size_t attempt = 0; attempt <= inputs.size(); ++attempt) {
    const fs::path path = write_frozen_model(model, values, frozen, test);
    try {
      Outcome outcome = run_with(path, model.graph(), set_dir, values, frozen);
      fs::remove(path);
      return outcome;
    } catch (const std::exception& e) {
      fs::remove(path);
      const std::string name = rejected_constant(e.what());
      if (name.empty() || !values.count(name) || frozen.count(name))
        return {false, naming_original(e.what(), path, dir / "model.onnx")};
      frozen.insert(name);  // the engine wants it constant: feed it as an initializer
    }
  }
  return {false, "inputs kept being rejected as non-constant"};
}

// ---------------------------------------------------------------------------------------------
// Tally and summary.

struct Tally {
  int run = 0, passed = 0, failed = 0;
  std::vector<std::pair<std::string, std::string>> skipped;  // test, reason
};

Tally& tally() {
  static Tally t;
  return t;
}

class SummaryEnvironment : public ::testing::Environment {
 public:
  void TearDown() override {
    const Tally& t = tally();
    size_t not_applicable = 0;
    for (const auto& [why, tests] : survey().not_applicable) not_applicable += tests.size();
    std::cout << "[ONNX node tests] " << t.run << " run, " << t.passed << " passed, " << t.failed
              << " failed, " << t.skipped.size() << " skipped (documented limitations), "
              << not_applicable << " not applicable\n";
    for (const auto& [test, reason] : t.skipped)
      std::cout << "[ONNX node tests]   skipped " << test << ": " << reason << "\n";
    for (const auto& [why, tests] : survey().not_applicable)
      std::cout << "[ONNX node tests]   not applicable (" << why << "): " << tests.size() << "\n";
  }
};

const auto* const kSummary = ::testing::AddGlobalTestEnvironment(new SummaryEnvironment);

// ---------------------------------------------------------------------------------------------
// The tests.

class OnnxNode : public ::testing::TestWithParam<std::string> {};

TEST_P(OnnxNode, MatchesExpectedOutputs) {
  const std::string& test = GetParam();
  std::vector<fs::path> sets;
  for (const auto& entry : fs::directory_iterator(data_root() / test))
    if (entry.is_directory() && entry.path().filename().string().starts_with("test_data_set_"))
      sets.push_back(entry.path());
  std::sort(sets.begin(), sets.end());
  ASSERT_FALSE(sets.empty()) << test << " has no test_data_set_* directory";

  ++tally().run;
  Outcome outcome{true, ""};
  for (const fs::path& set : sets) {
    Outcome o = run_data_set(test, set);
    if (!o.passed) {
      outcome = {false, set.filename().string() + ": " + o.message};
      break;
    }
  }
  const SkipGroup* skip = find_skip(test);
  if (skip && !outcome.passed && outcome.message.find(skip->error_contains) != std::string::npos) {
    tally().skipped.emplace_back(test, skip->reason);
    GTEST_SKIP() << "SKIPPED " << test << " (documented limitation: " << skip->reason
                 << ") -- it fails with: " << outcome.message;
  }
  if (outcome.passed) {
    ++tally().passed;
    if (skip)
      ADD_FAILURE() << test << " passes but is listed in the skip table (" << skip->reason
                    << "); remove the entry";
    return;
  }
  ++tally().failed;
  if (skip)
    ADD_FAILURE() << test << " is listed in the skip table (" << skip->reason
                  << ") but fails without the expected '" << skip->error_contains
                  << "': " << outcome.message;
  else
    ADD_FAILURE() << test << ": " << outcome.message;
}

std::string directory_name(const ::testing::TestParamInfo<std::string>& param) {
  return param.param;
}

INSTANTIATE_TEST_SUITE_P(Onnx, OnnxNode, ::testing::ValuesIn(survey().applicable), directory_name);
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(OnnxNode);

TEST(OnnxNodeData, IsInstalled) {
  ASSERT_TRUE(fs::is_directory(data_root()))
      << "ONNX node test data missing at " << data_root().string()
      << " (install Debian's libonnx-testdata, or point NEUROSCOPE_ONNX_TESTDATA at it)";
  EXPECT_FALSE(survey().applicable.empty()) << "no node test uses an engine operator";
}

// Every skip entry names a test that exists and runs; anything else is a stale entry.
TEST(OnnxNodeData, SkipTableNamesApplicableTests) {
  const auto& applicable = survey().applicable;
  for (const SkipGroup& g : skip_table())
    for (const char* name : g.tests)
      EXPECT_TRUE(std::find(applicable.begin(), applicable.end(), name) != applicable.end())
          << "skip table entry '" << name << "' is not an applicable node test";
}

}  // namespace
}  // namespace neuroscope
