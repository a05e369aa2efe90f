// The `neuroscope` command line: usage, dispatch, argument parsing and `layers`. Runs the built
// binary and checks its stdout, stderr and exit code. (eval: test_cli_eval.cpp; bad input of
// every kind: test_cli_errors.cpp.)
#include <nlohmann/json.hpp>

#include <regex>
#include <sstream>

#include "testing/fixtures.h"
#include "testing/testing.h"

namespace neuroscope::testing {
namespace {

constexpr int kUsage = 2;

class Cli : public ::testing::Test {
 protected:
  TempDir dir;
  std::string model = write_tiny_classifier(dir.path()).string();
};

// Splits text into lines, each into whitespace-separated words.
std::vector<std::vector<std::string>> words_by_line(const std::string& text) {
  std::vector<std::vector<std::string>> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    std::istringstream words(line);
    lines.emplace_back(std::istream_iterator<std::string>(words),
                       std::istream_iterator<std::string>());
  }
  return lines;
}

// ---- usage and dispatch ----

TEST_F(Cli, BareCommandAndHelpPrintTheOverview) {
  for (const std::vector<std::string>& args :
       std::vector<std::vector<std::string>>{{}, {"--help"}, {"-h"}, {"help"}}) {
    const CliResult r = run_cli(args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.err, "");
    EXPECT_NE(r.out.find("usage: neuroscope COMMAND"), std::string::npos) << r.out;
    EXPECT_TRUE(std::regex_search(r.out, std::regex("\\n  layers +List")) &&
                std::regex_search(r.out, std::regex("\\n  eval +Run")))
        << "every command with its summary:\n"
        << r.out;
  }
}

TEST_F(Cli, CommandHelpTwoWays) {
  for (const std::string command : {"layers", "eval"}) {
    const CliResult a = run_cli({"help", command}), b = run_cli({command, "--help"});
    EXPECT_EQ(a.exit_code, 0) << a.err;
    EXPECT_EQ(b.exit_code, 0) << b.err;
    EXPECT_EQ(a.out, b.out);
    EXPECT_TRUE(a.out.starts_with("usage: neuroscope " + command + " MODEL")) << a.out;
  }
  const std::string eval_help = run_cli({"eval", "--help"}).out;
  for (const std::string flag : {"--input", "--save", "--objective", "--grad", "--json", "--help"})
    EXPECT_NE(eval_help.find(flag), std::string::npos) << flag << " missing from:\n" << eval_help;
  const std::string layers_help = run_cli({"layers", "-h"}).out;
  for (const std::string flag : {"--json", "--input-shape"})
    EXPECT_NE(layers_help.find(flag), std::string::npos) << flag << " missing from:\n"
                                                         << layers_help;
}

TEST_F(Cli, Version) {
  const CliResult r = run_cli({"--version"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_TRUE(std::regex_match(r.out, std::regex("neuroscope \\d+\\.\\d+\\.\\d+\\n"))) << r.out;
}

TEST_F(Cli, UnknownCommandSuggestsTheClosest) {
  expect_cli_error(run_cli({"layer", model}), kUsage, {"unknown command 'layer'", "'layers'"});
  expect_cli_error(run_cli({"evl"}), kUsage, {"unknown command 'evl'", "'eval'"});
  expect_cli_error(run_cli({"help", "lyers"}), kUsage, {"'lyers'", "'layers'"});
  expect_cli_error(run_cli({"--json"}), kUsage, {"'--json'"});
}

TEST_F(Cli, UnknownFlagSuggestsTheClosest) {
  expect_cli_error(run_cli({"layers", model, "--jsn"}), kUsage, {"'--jsn'", "'--json'"});
  expect_cli_error(run_cli({"eval", model, "--objectiv", "conv2:1"}), kUsage,
                   {"'--objectiv'", "'--objective'"});
  expect_cli_error(run_cli({"layers", model, "-j"}), kUsage, {"'-j'"});
}

TEST_F(Cli, MalformedCommandLines) {
  expect_cli_error(run_cli({"layers"}), kUsage, {"MODEL"});
  expect_cli_error(run_cli({"layers", model, "extra"}), kUsage, {"'extra'"});
  expect_cli_error(run_cli({"eval", model, "--input"}), kUsage, {"--input", "needs a value"});
  expect_cli_error(run_cli({"eval", model, "--input", "--json"}), kUsage,
                   {"--input", "needs a value"});
  expect_cli_error(run_cli({"layers", model, "--json=yes"}), kUsage, {"--json", "takes no value"});
  expect_cli_error(run_cli({"layers", model, "--json", "--json"}), kUsage,
                   {"--json", "more than once"});
  expect_cli_error(
      run_cli({"eval", model, "--objective", "conv2:1", "--objective=conv2:2", "--input", "x.npy"}),
      kUsage, {"--objective", "more than once"});
  expect_cli_error(run_cli({"layers", model, "--input-shape", "1,3,abc,4"}), kUsage,
                   {"--input-shape", "'1,3,abc,4'", "is not a shape"});
  expect_cli_error(run_cli({"layers", model, "--input-shape", "1,3,0,4"}), kUsage,
                   {"--input-shape", "'1,3,0,4'"});
}

// ---- layers ----

TEST_F(Cli, LayersListsEveryTensorInOrderWithOpShapeAndChannels) {
  const CliResult r = run_cli({"layers", model});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, "");
  // Shapes worked out from the architecture at the default 16x16 (metadata default_size).
  const std::map<std::string, std::pair<std::string, std::string>> expected = {
      {"data", {"[1,3,16,16]", "3"}},
      {"conv1/pre_relu", {"[1,4,16,16]", "4"}},
      {"conv1", {"[1,4,16,16]", "4"}},
      {"pool1", {"[1,4,8,8]", "4"}},
      {"conv2/pre_relu", {"[1,6,8,8]", "6"}},
      {"conv2", {"[1,6,8,8]", "6"}},
      {"gap", {"[1,6,1,1]", "6"}},
      {"flat", {"[1,6]", "6"}},
      {"logits", {"[1,5]", "5"}},
      {"prob", {"[1,5]", "5"}}};
  std::vector<std::vector<std::string>> rows;
  bool in_table = false;
  for (const auto& words : words_by_line(r.out)) {
    if (in_table && !words.empty()) rows.push_back(words);
    if (!words.empty() && words[0] == "#") {
      EXPECT_EQ(words, (std::vector<std::string>{"#", "tensor", "op", "shape", "channels"}));
      in_table = true;
    }
  }
  const auto order = tiny_classifier_tensors();
  ASSERT_EQ(rows.size(), order.size()) << r.out;
  for (size_t i = 0; i < rows.size(); ++i) {
    const auto& [name, op] = order[i];
    EXPECT_EQ(rows[i],
              (std::vector<std::string>{std::to_string(i), name, op, expected.at(name).first,
                                        expected.at(name).second}));
  }
}

TEST_F(Cli, LayersShowsInputsOutputsAndMetadata) {
  const CliResult r = run_cli({"layers", model});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(
      std::regex_search(r.out, std::regex("input +data \\[N,3,H,W\\], listed at \\[1,3,16,16\\]")))
      << r.out;
  EXPECT_TRUE(std::regex_search(r.out, std::regex("output +prob\\n"))) << r.out;
  EXPECT_TRUE(std::regex_search(r.out, std::regex("metadata +model_author = neuroscope tests\\n")));
  EXPECT_TRUE(std::regex_search(r.out, std::regex("metadata +default_size = 16\\n")));
  EXPECT_TRUE(std::regex_search(r.out, std::regex("opset 13")));
}

TEST_F(Cli, LayersJsonDocument) {
  const CliResult r = run_cli({"layers", model, "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto doc = nlohmann::json::parse(r.out);
  EXPECT_EQ(doc["model"], model);
  EXPECT_EQ(doc["opset"], 13);
  ASSERT_EQ(doc["inputs"].size(), 1u);
  EXPECT_EQ(doc["inputs"][0]["name"], "data");
  EXPECT_EQ(doc["inputs"][0]["shape"], nlohmann::json::parse(R"(["N", 3, "H", "W"])"));
  EXPECT_EQ(doc["inputs"][0]["dtype"], "float32");
  EXPECT_EQ(doc["inputs"][0]["listed_shape"], nlohmann::json::parse("[1, 3, 16, 16]"));
  EXPECT_EQ(doc["outputs"], nlohmann::json::parse(R"(["prob"])"));
  EXPECT_EQ(doc["metadata"], nlohmann::json::parse(
                                 R"([{"key": "model_author", "value": "neuroscope tests"},
                                     {"key": "default_size", "value": "16"}])"));
  const auto order = tiny_classifier_tensors();
  ASSERT_EQ(doc["tensors"].size(), order.size());
  for (size_t i = 0; i < order.size(); ++i) {
    EXPECT_EQ(doc["tensors"][i]["name"], order[i].first);
    EXPECT_EQ(doc["tensors"][i]["op"], order[i].second);
  }
  EXPECT_EQ(doc["tensors"][4]["node"], "conv2");
  EXPECT_EQ(doc["tensors"][4]["shape"], nlohmann::json::parse("[1, 6, 8, 8]"));
  EXPECT_EQ(doc["tensors"][4]["channels"], 6);
  EXPECT_EQ(doc["tensors"][7]["shape"], nlohmann::json::parse("[1, 6]"));
  EXPECT_EQ(doc["tensors"][7]["channels"], 6);
}

TEST_F(Cli, LayersForAnotherInputShape) {
  const CliResult r = run_cli({"layers", model, "--json", "--input-shape", "2,3,40,24"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto doc = nlohmann::json::parse(r.out);
  EXPECT_EQ(doc["inputs"][0]["listed_shape"], nlohmann::json::parse("[2, 3, 40, 24]"));
  EXPECT_EQ(doc["tensors"][1]["shape"], nlohmann::json::parse("[2, 4, 40, 24]"));
  EXPECT_EQ(doc["tensors"][3]["shape"], nlohmann::json::parse("[2, 4, 20, 12]"));
  EXPECT_EQ(doc["tensors"][9]["shape"], nlohmann::json::parse("[2, 5]"));
  // The NAME= form names the input explicitly.
  const CliResult named = run_cli({"layers", model, "--json", "--input-shape=data=2,3,40,24"});
  ASSERT_EQ(named.exit_code, 0) << named.err;
  EXPECT_EQ(nlohmann::json::parse(named.out), doc);
}

TEST_F(Cli, LayersOnGoogLeNet) {
  const auto file = googlenet_dir() / "googlenet-bvlc.onnx";
  NS_REQUIRE_SHARED(file);
  const CliResult r = run_cli({"layers", file.string(), "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto doc = nlohmann::json::parse(r.out);
  // Facts from ../shared/models/googlenet/README.md.
  std::map<std::string, nlohmann::json> by_name;
  for (const auto& t : doc["tensors"]) by_name[t["name"]] = t;
  EXPECT_EQ(doc["tensors"][0]["name"], "data");
  EXPECT_EQ(by_name.at("conv1/7x7_s2/pre_relu")["op"], "Conv");
  EXPECT_EQ(by_name.at("conv1/7x7_s2")["op"], "Relu");
  EXPECT_EQ(by_name.at("inception_3b/output")["shape"], nlohmann::json::parse("[1, 480, 28, 28]"));
  EXPECT_EQ(by_name.at("inception_4d/output")["shape"], nlohmann::json::parse("[1, 528, 14, 14]"));
  EXPECT_EQ(by_name.at("inception_4d/output")["channels"], 528);
  EXPECT_EQ(by_name.at("pool5/drop_7x7_s1")["op"], "Dropout");
  EXPECT_EQ(by_name.at("loss3/classifier")["shape"], nlohmann::json::parse("[1, 1000]"));
  EXPECT_EQ(doc["tensors"].back()["name"], "prob");
  EXPECT_EQ(doc["outputs"], nlohmann::json::parse(R"(["prob"])"));
  bool has_mean = false;
  for (const auto& m : doc["metadata"])
    has_mean |= m["key"] == "input_mean" && m["value"] == "104,117,123";
  EXPECT_TRUE(has_mean) << doc["metadata"].dump();
  // The table form agrees with the JSON form on every tensor.
  const CliResult table = run_cli({"layers", file.string()});
  ASSERT_EQ(table.exit_code, 0) << table.err;
  for (const auto& t : doc["tensors"])
    EXPECT_TRUE(std::regex_search(
        table.out,
        std::regex("\\n\\d+ +" +
                   std::regex_replace(t["name"].get<std::string>(), std::regex("[/.]"), "\\$&") +
                   " +" + t["op"].get<std::string>() + " +")))
        << t["name"];
}

}  // namespace
}  // namespace neuroscope::testing
