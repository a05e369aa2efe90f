// Test fixtures built in code: tiny ONNX models (and broken variants of them) written with the
// ONNX protobuf API, temporary folders, and a runner for the `neuroscope` binary.
//
//   TempDir dir;
//   const auto model = write_model(tiny_classifier(), dir / "tiny.onnx");
//   CliResult r = run_cli({"layers", model.string()});
//   EXPECT_EQ(r.exit_code, 0) << r.err;
#pragma once

#include <onnx/onnx_pb.h>

#include <filesystem>
#include <string>
#include <vector>

#include "neuroscope/tensor.h"

namespace neuroscope::testing {

// A fresh folder under the system's temporary folder, removed with its contents on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }
  // Names of everything inside, sorted (hidden temporaries included).
  std::vector<std::string> list() const;

 private:
  std::filesystem::path path_;
};

// A small image classifier, input `data` [N,3,H,W] (N, H, W symbolic; metadata default_size 16):
//   data -Conv 3x3 pad 1-> conv1/pre_relu [N,4,H,W] -Relu-> conv1 -MaxPool 2x2 s2-> pool1
//   [N,4,H/2,W/2] -Conv 3x3 pad 1-> conv2/pre_relu [N,6,..] -Relu-> conv2 -GlobalAveragePool->
//   gap [N,6,1,1] -Flatten-> flat [N,6] -Gemm-> logits [N,5] -Softmax-> prob [N,5]
// with fixed pseudo-random weights and metadata_props model_author and default_size.
inline constexpr int kTinyClasses = 5;
onnx::ModelProto tiny_classifier();
// The tensor names above in topological order, with their op types.
std::vector<std::pair<std::string, std::string>> tiny_classifier_tensors();
// tiny_classifier's head alone: its input 'flat' is a [1,6] vector, not an image.
onnx::ModelProto vector_input_classifier();

// Two inputs, a [N,1,H,W] and b [N,2,H,W], concatenated along channels into ab, then Relu: out.
onnx::ModelProto two_input_concat();

// Broken variants.
// An extra initializer 'huge' declaring dims [1000000000, 1000000000] (and no data).
onnx::ModelProto with_absurd_initializer(onnx::ModelProto model);
// The graph input declared as [1, 3, 100000000, 100000000].
onnx::ModelProto with_absurd_input(onnx::ModelProto model);
// Two extra nodes with operators neuroscope does not support: 'mystery_nms'
// (NonMaxSuppression) and 'mystery_text' (StringNormalizer).
onnx::ModelProto with_unsupported_ops(onnx::ModelProto model);

std::string serialize(const onnx::ModelProto& model);
// The first half of the serialized model.
std::string truncated(const std::string& bytes);
// The bytes with `count` bytes starting at `offset` inverted.
std::string flipped(std::string bytes, size_t offset, size_t count);

void write_bytes(const std::filesystem::path& file, const std::string& bytes);
std::filesystem::path write_model(const onnx::ModelProto& model, const std::filesystem::path& file);
// The tiny classifier at dir/tiny.onnx with class names in dir/tiny.labels.txt.
std::filesystem::path write_tiny_classifier(const std::filesystem::path& dir);
// A .npy file of another dtype ("<f8", "<i8"), values 0, 1, 2, ...
void write_npy_of_dtype(const std::filesystem::path& file, const Shape& shape,
                        const std::string& dtype);
// A tensor of the given shape with values uniform in [-scale, scale] from a fixed seed.
Tensor random_tensor(const Shape& shape, float scale, unsigned seed);

// Running the built `neuroscope` binary (the NEUROSCOPE_CLI compile definition).
struct CliResult {
  int exit_code = -1;  // -1 when killed by a signal (see signal)
  int signal = 0;
  std::string out, err;
  // The lines of `err` (without their newlines).
  std::vector<std::string> err_lines() const;
};
CliResult run_cli(const std::vector<std::string>& args);

// Expects a clean failure: exit code `exit_code`, nothing on stdout, and stderr exactly one line
// "neuroscope: error: ..." containing every keyword. Reports failures through gtest.
void expect_cli_error(const CliResult& result, int exit_code,
                      const std::vector<std::string>& keywords);

}  // namespace neuroscope::testing
