// Bad input of every kind gives one clear line on stderr and a non-zero exit code, never a crash,
// and never leaves a partial output file behind.
#include <fstream>

#include "neuroscope/npy.h"
#include "testing/fixtures.h"
#include "testing/testing.h"

namespace neuroscope::testing {
namespace {

namespace fs = std::filesystem;

constexpr int kError = 1;
constexpr int kUsage = 2;

class CliErrors : public ::testing::Test {
 protected:
  TempDir dir;
  fs::path model = write_tiny_classifier(dir.path());
  fs::path input = write_input("x.npy", {1, 3, 16, 16});
  TempDir out_dir;  // where outputs go: must stay empty after every failure

  fs::path write_input(const std::string& name, const Shape& shape) {
    write_npy(dir / name, random_tensor(shape, 1.0f, 7));
    return dir / name;
  }
  fs::path write_model_bytes(const std::string& name, const std::string& bytes) {
    write_bytes(dir / name, bytes);
    return dir / name;
  }
  // eval of `model_file` on the valid input, with extra flags.
  CliResult eval(const fs::path& model_file, std::vector<std::string> flags) {
    std::vector<std::string> args = {"eval", model_file.string(), "--input", input.string()};
    args.insert(args.end(), flags.begin(), flags.end());
    return run_cli(args);
  }
  // Both commands that load a model fail on `file` with the same message.
  void expect_model_rejected(const fs::path& file, const std::vector<std::string>& keywords) {
    SCOPED_TRACE(file.filename().string());
    const CliResult layers = run_cli({"layers", file.string()});
    expect_cli_error(layers, kError, keywords);
    const CliResult evaluated = eval(file, {"--save", "conv2=" + (out_dir / "o.npy").string()});
    expect_cli_error(evaluated, kError, keywords);
    EXPECT_EQ(layers.err, evaluated.err);
    EXPECT_TRUE(out_dir.list().empty());
  }
};

// ---- model files ----

TEST_F(CliErrors, MissingModelFile) {
  expect_model_rejected(dir / "nowhere.onnx", {"nowhere.onnx", "does not exist"});
}

TEST_F(CliErrors, ModelIsAFolder) {
  expect_model_rejected(out_dir.path(), {"is a directory"});
}

TEST_F(CliErrors, TextFileIsNotAnOnnxModel) {
  const fs::path file = write_model_bytes("notes.onnx", "This is a text file, not a network.\n");
  expect_model_rejected(file, {"notes.onnx", "is not an ONNX model"});
}

TEST_F(CliErrors, PngIsNotAnOnnxModel) {
  // A PNG signature and the start of an IHDR chunk.
  const std::string png(
      "\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR\0\0\0\x10\0\0\0\x10\x08\x02\0\0\0\x90\x91\x68\x36", 33);
  const fs::path file = write_model_bytes("photo.png", png);
  expect_model_rejected(file, {"photo.png", "is not an ONNX model"});
}

TEST_F(CliErrors, EmptyFileIsNotAnOnnxModel) {
  expect_model_rejected(write_model_bytes("empty.onnx", ""),
                        {"empty.onnx", "is not an ONNX model"});
}

TEST_F(CliErrors, TruncatedModel) {
  const fs::path file = write_model_bytes("half.onnx", truncated(serialize(tiny_classifier())));
  expect_model_rejected(file, {"half.onnx", "truncated or corrupt"});
}

TEST_F(CliErrors, CorruptModel) {
  // Inverting the first bytes destroys the first field's tag (wire type 7 does not exist).
  const fs::path file =
      write_model_bytes("flipped.onnx", flipped(serialize(tiny_classifier()), 0, 4));
  expect_model_rejected(file, {"flipped.onnx", "truncated or corrupt"});
}

// Damaged files: each run either works or fails with one line; none crashes. Flips target the
// graph structure (nodes with their attributes at the start, inputs, outputs, opset and
// metadata at the end), where damage parses into strange models rather than failing to parse;
// the weights in between are sampled more sparsely.
TEST_F(CliErrors, DamagedModelsNeverCrash) {
  const std::string bytes = serialize(tiny_classifier());
  std::vector<std::pair<std::string, std::string>> variants;
  auto flip_at = [&](size_t at) {
    variants.emplace_back("byte " + std::to_string(at) + " inverted", flipped(bytes, at, 1));
  };
  const size_t structure = 400;
  ASSERT_GT(bytes.size(), 2 * structure);
  for (size_t at = 0; at < structure; at += 5) flip_at(at);
  for (size_t at = bytes.size() - structure; at < bytes.size(); at += 5) flip_at(at);
  for (size_t at = structure; at < bytes.size() - structure; at += 97) flip_at(at);
  for (size_t k = 1; k < 16; ++k) {
    const size_t at = bytes.size() * k / 16;
    variants.emplace_back("cut at " + std::to_string(at), bytes.substr(0, at));
  }
  size_t failures = 0;
  for (const auto& [label, damaged] : variants) {
    SCOPED_TRACE(label);
    const fs::path file = write_model_bytes("damaged.onnx", damaged);
    const CliResult r = run_cli({"layers", file.string()});
    EXPECT_EQ(r.signal, 0) << "crashed; stderr: " << r.err;
    EXPECT_TRUE(r.exit_code == 0 || r.exit_code == kError) << r.exit_code << ": " << r.err;
    if (r.exit_code != 0) {
      ++failures;
      EXPECT_EQ(r.err_lines().size(), 1u) << r.err;
      EXPECT_NE(r.err.find("damaged.onnx"), std::string::npos) << "name the file: " << r.err;
    }
  }
  EXPECT_GT(failures, variants.size() / 4) << "most damage should be detected";
}

TEST_F(CliErrors, AbsurdInitializerSize) {
  const fs::path file =
      write_model(with_absurd_initializer(tiny_classifier()), dir / "huge_init.onnx");
  expect_model_rejected(file, {"huge_init.onnx", "'huge'", "absurd", "[1000000000,1000000000]"});
}

TEST_F(CliErrors, AbsurdInputSize) {
  const fs::path file = write_model(with_absurd_input(tiny_classifier()), dir / "huge_input.onnx");
  expect_model_rejected(file,
                        {"huge_input.onnx", "input 'data'", "absurd", "[1,3,100000000,100000000]"});
}

TEST_F(CliErrors, UnsupportedOperatorsAreAllNamedAtOnce) {
  const fs::path file = write_model(with_unsupported_ops(tiny_classifier()), dir / "odd.onnx");
  expect_model_rejected(file,
                        {"odd.onnx", "2 nodes", "unsupported", "'mystery_nms' (NonMaxSuppression)",
                         "'mystery_text' (StringNormalizer)"});
}

TEST_F(CliErrors, ControlCharactersInNamesStayOnOneLine) {
  onnx::ModelProto m = tiny_classifier();
  onnx::NodeProto* node = m.mutable_graph()->add_node();
  node->set_op_type("Frobnicate");
  node->set_name("two\nlines\x1b[31m");
  node->add_input("conv2");
  node->add_output("odd");
  expect_model_rejected(write_model(m, dir / "ctrl.onnx"), {"'two lines\\x1b[31m' (Frobnicate)"});
}

// ---- tensor names and objectives ----

TEST_F(CliErrors, UnknownTensorInSaveSuggestsClosestNames) {
  expect_cli_error(
      eval(model, {"--save", "conv9=" + (out_dir / "o.npy").string()}), kError,
      {"no tensor named 'conv9'", "closest names", "conv1", "conv2", "neuroscope layers"});
  EXPECT_TRUE(out_dir.list().empty());
}

TEST_F(CliErrors, UnknownTensorInObjectiveSuggestsClosestNames) {
  expect_cli_error(eval(model, {"--objective", "pool:1"}), kError,
                   {"no tensor named 'pool'", "pool1"});
  expect_cli_error(eval(model, {"--objective", "conv2:1 + conv2/prerelu:0"}), kError,
                   {"no tensor named 'conv2/prerelu'", "conv2/pre_relu"});
}

TEST_F(CliErrors, WeightsAreNotTensors) {
  expect_cli_error(eval(model, {"--save", "conv1.w=" + (out_dir / "w.npy").string()}), kError,
                   {"'conv1.w'", "constant"});
}

TEST_F(CliErrors, ChannelOutOfRange) {
  expect_cli_error(eval(model, {"--objective", "conv2:6"}), kError,
                   {"channel 6 is out of range", "'conv2' has 6 channels (0..5)"});
  expect_cli_error(eval(model, {"--objective", "conv2:600", "--grad", (out_dir / "g.npy").string(),
                                "--save", "pool1=" + (out_dir / "p.npy").string()}),
                   kError, {"channel 600"});
  EXPECT_TRUE(out_dir.list().empty()) << "nothing may be written when the objective is rejected";
}

TEST_F(CliErrors, MalformedObjective) {
  for (const std::string text :
       {"conv2", "conv2:x", ":3", "conv2:1 +", "conv2:-1", "conv2:1.5", "", "2*", "conv2:1 * 3"}) {
    SCOPED_TRACE(text);
    expect_cli_error(eval(model, {"--objective", text}), kUsage, {"--objective"});
  }
}

TEST_F(CliErrors, MalformedSave) {
  for (const std::string text : {"conv2", "=o.npy", "conv2="}) {
    SCOPED_TRACE(text);
    expect_cli_error(eval(model, {"--save", text}), kUsage,
                     {"--save '" + text + "'", "TENSOR=FILE"});
  }
}

TEST_F(CliErrors, GradWithoutObjective) {
  expect_cli_error(eval(model, {"--grad", (out_dir / "g.npy").string()}), kUsage,
                   {"--grad needs --objective"});
  EXPECT_TRUE(out_dir.list().empty());
}

// ---- input .npy files ----

TEST_F(CliErrors, MissingInputFlag) {
  expect_cli_error(run_cli({"eval", model.string()}), kUsage, {"needs --input"});
}

TEST_F(CliErrors, MissingInputFile) {
  expect_cli_error(run_cli({"eval", model.string(), "--input", (dir / "none.npy").string()}),
                   kError, {"--input", "none.npy", "does not exist"});
}

TEST_F(CliErrors, InputIsNotNpy) {
  expect_cli_error(run_cli({"eval", model.string(), "--input", model.string()}), kError,
                   {"--input", "tiny.onnx", "is not a .npy file"});
}

TEST_F(CliErrors, InputWithWrongChannels) {
  const fs::path x = write_input("rgba.npy", {1, 4, 16, 16});
  expect_cli_error(run_cli({"eval", model.string(), "--input", x.string()}), kError,
                   {"rgba.npy", "[1,4,16,16]", "input 'data'", "[N,3,H,W]", "3 channels, not 4"});
}

TEST_F(CliErrors, InputWithWrongRank) {
  const fs::path x = write_input("chw.npy", {3, 16, 16});
  expect_cli_error(run_cli({"eval", model.string(), "--input", x.string()}), kError,
                   {"chw.npy", "[3,16,16]", "[N,3,H,W]", "rank 4, not 3"});
}

TEST_F(CliErrors, InputTooSmallForTheNetwork) {
  const fs::path x = write_input("tiny_image.npy", {1, 3, 1, 1});
  expect_cli_error(run_cli({"eval", model.string(), "--input", x.string()}), kError, {"pool1"});
}

TEST_F(CliErrors, InputOfAnotherDtype) {
  for (const std::string dtype : {"<f8", "<i8"}) {
    SCOPED_TRACE(dtype);
    const fs::path x = dir / "wide.npy";
    write_npy_of_dtype(x, {1, 3, 16, 16}, dtype);
    expect_cli_error(run_cli({"eval", model.string(), "--input", x.string()}), kError,
                     {"wide.npy", "'" + dtype + "'", "float32"});
  }
}

// ---- output paths ----

TEST_F(CliErrors, OutputFolderDoesNotExist) {
  const fs::path missing = out_dir / "no_such_folder";
  expect_cli_error(eval(model, {"--save", "conv2=" + (missing / "c.npy").string()}), kError,
                   {"--save conv2", "c.npy", "does not exist"});
  expect_cli_error(eval(model, {"--objective", "conv2:1", "--grad", (missing / "g.npy").string()}),
                   kError, {"--grad", "g.npy", "does not exist"});
  // A good path first and a bad one second: neither is written.
  expect_cli_error(eval(model, {"--save", "conv1=" + (out_dir / "c1.npy").string(), "--save",
                                "conv2=" + (missing / "c2.npy").string()}),
                   kError, {"c2.npy", "does not exist"});
  EXPECT_TRUE(out_dir.list().empty()) << "partial outputs left behind";
}

TEST_F(CliErrors, OutputPathIsAFolder) {
  expect_cli_error(eval(model, {"--save", "conv2=" + out_dir.path().string()}), kError,
                   {"is a folder"});
}

TEST_F(CliErrors, SameOutputFileTwice) {
  const std::string file = (out_dir / "o.npy").string();
  expect_cli_error(eval(model, {"--save", "conv1=" + file, "--save", "conv2=" + file}), kUsage,
                   {"o.npy", "also written by"});
  EXPECT_TRUE(out_dir.list().empty());
}

TEST_F(CliErrors, FailedRunLeavesExistingOutputUntouched) {
  const fs::path file = out_dir / "keep.npy";
  write_bytes(file, "precious");
  expect_cli_error(eval(model, {"--save", "conv2=" + file.string(), "--objective", "conv2:99"}),
                   kError, {"channel 99"});
  std::ifstream in(file);
  std::string contents((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(contents, "precious");
  EXPECT_EQ(out_dir.list(), std::vector<std::string>{"keep.npy"});
}

}  // namespace
}  // namespace neuroscope::testing
