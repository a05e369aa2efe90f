#include "testing/fixtures.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>
#include <variant>

#include "neuroscope/error.h"

namespace neuroscope::testing {
namespace {

std::string read_all(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

void add_initializer(onnx::GraphProto& graph, const std::string& name, const Shape& shape,
                     unsigned seed, float scale) {
  onnx::TensorProto* t = graph.add_initializer();
  t->set_name(name);
  t->set_data_type(onnx::TensorProto::FLOAT);
  for (int64_t d : shape) t->add_dims(d);
  const Tensor values = random_tensor(shape, scale, seed);
  for (float v : values.values()) t->add_float_data(v);
}

onnx::NodeProto* add_node(onnx::GraphProto& graph, const std::string& op, const std::string& name,
                          std::vector<std::string> inputs, std::vector<std::string> outputs) {
  onnx::NodeProto* n = graph.add_node();
  n->set_op_type(op);
  n->set_name(name);
  for (const std::string& in : inputs) n->add_input(in);
  for (const std::string& out : outputs) n->add_output(out);
  return n;
}

void add_ints(onnx::NodeProto* node, const std::string& name, std::vector<int64_t> values) {
  onnx::AttributeProto* a = node->add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::INTS);
  for (int64_t v : values) a->add_ints(v);
}

void add_int(onnx::NodeProto* node, const std::string& name, int64_t value) {
  onnx::AttributeProto* a = node->add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::INT);
  a->set_i(value);
}

// A float tensor value with each dimension fixed (int) or symbolic (string).
void set_type(onnx::ValueInfoProto* v,
              const std::vector<std::variant<int64_t, std::string>>& dims) {
  auto* tensor = v->mutable_type()->mutable_tensor_type();
  tensor->set_elem_type(onnx::TensorProto::FLOAT);
  auto* shape = tensor->mutable_shape();
  shape->clear_dim();
  for (const auto& d : dims) {
    auto* dim = shape->add_dim();
    if (std::holds_alternative<int64_t>(d))
      dim->set_dim_value(std::get<int64_t>(d));
    else
      dim->set_dim_param(std::get<std::string>(d));
  }
}

void add_metadata(onnx::ModelProto& model, const std::string& key, const std::string& value) {
  auto* p = model.add_metadata_props();
  p->set_key(key);
  p->set_value(value);
}

}  // namespace

TempDir::TempDir() {
  std::string pattern =
      (std::filesystem::temp_directory_path() / "neuroscope_test_XXXXXX").string();
  if (!mkdtemp(pattern.data())) throw error("cannot create a temporary folder from ", pattern);
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

std::vector<std::string> TempDir::list() const {
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(path_))
    names.push_back(entry.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

Tensor random_tensor(const Shape& shape, float scale, unsigned seed) {
  std::mt19937 rng(seed);
  Tensor t(shape);
  // Our own mapping of the (standardized) mt19937 stream, so values are the same everywhere.
  for (float& v : t.values())
    v = scale * static_cast<float>(2.0 * (static_cast<double>(rng()) / 4294967296.0) - 1.0);
  return t;
}

onnx::ModelProto tiny_classifier() {
  onnx::ModelProto model;
  model.set_ir_version(8);
  model.set_producer_name("neuroscope tests");
  model.add_opset_import()->set_version(13);
  add_metadata(model, "model_author", "neuroscope tests");
  add_metadata(model, "default_size", "16");
  onnx::GraphProto& g = *model.mutable_graph();
  g.set_name("tiny_classifier");
  set_type(g.add_input(), {std::string("N"), int64_t{3}, std::string("H"), std::string("W")});
  g.mutable_input(0)->set_name("data");
  set_type(g.add_output(), {std::string("N"), int64_t{kTinyClasses}});
  g.mutable_output(0)->set_name("prob");

  add_initializer(g, "conv1.w", {4, 3, 3, 3}, 1, 0.5f);
  add_initializer(g, "conv1.b", {4}, 2, 0.1f);
  add_initializer(g, "conv2.w", {6, 4, 3, 3}, 3, 0.4f);
  add_initializer(g, "conv2.b", {6}, 4, 0.1f);
  add_initializer(g, "fc.w", {kTinyClasses, 6}, 5, 1.0f);
  add_initializer(g, "fc.b", {kTinyClasses}, 6, 0.2f);

  auto* conv1 = add_node(g, "Conv", "conv1", {"data", "conv1.w", "conv1.b"}, {"conv1/pre_relu"});
  add_ints(conv1, "kernel_shape", {3, 3});
  add_ints(conv1, "pads", {1, 1, 1, 1});
  add_node(g, "Relu", "conv1/relu", {"conv1/pre_relu"}, {"conv1"});
  auto* pool = add_node(g, "MaxPool", "pool1", {"conv1"}, {"pool1"});
  add_ints(pool, "kernel_shape", {2, 2});
  add_ints(pool, "strides", {2, 2});
  auto* conv2 = add_node(g, "Conv", "conv2", {"pool1", "conv2.w", "conv2.b"}, {"conv2/pre_relu"});
  add_ints(conv2, "kernel_shape", {3, 3});
  add_ints(conv2, "pads", {1, 1, 1, 1});
  add_node(g, "Relu", "conv2/relu", {"conv2/pre_relu"}, {"conv2"});
  add_node(g, "GlobalAveragePool", "gap", {"conv2"}, {"gap"});
  add_node(g, "Flatten", "flat", {"gap"}, {"flat"});
  auto* fc = add_node(g, "Gemm", "fc", {"flat", "fc.w", "fc.b"}, {"logits"});
  add_int(fc, "transB", 1);
  auto* softmax = add_node(g, "Softmax", "softmax", {"logits"}, {"prob"});
  add_int(softmax, "axis", 1);
  return model;
}

std::vector<std::pair<std::string, std::string>> tiny_classifier_tensors() {
  return {{"data", "Input"},
          {"conv1/pre_relu", "Conv"},
          {"conv1", "Relu"},
          {"pool1", "MaxPool"},
          {"conv2/pre_relu", "Conv"},
          {"conv2", "Relu"},
          {"gap", "GlobalAveragePool"},
          {"flat", "Flatten"},
          {"logits", "Gemm"},
          {"prob", "Softmax"}};
}

onnx::ModelProto two_input_concat() {
  onnx::ModelProto model;
  model.set_ir_version(8);
  model.add_opset_import()->set_version(13);
  onnx::GraphProto& g = *model.mutable_graph();
  g.set_name("two_input_concat");
  for (const auto& [name, channels] : {std::pair<std::string, int64_t>{"a", 1}, {"b", 2}}) {
    onnx::ValueInfoProto* in = g.add_input();
    in->set_name(name);
    set_type(in, {std::string("N"), channels, std::string("H"), std::string("W")});
  }
  set_type(g.add_output(), {std::string("N"), int64_t{3}, std::string("H"), std::string("W")});
  g.mutable_output(0)->set_name("out");
  add_int(add_node(g, "Concat", "concat", {"a", "b"}, {"ab"}), "axis", 1);
  add_node(g, "Relu", "relu", {"ab"}, {"out"});
  return model;
}

onnx::ModelProto with_absurd_initializer(onnx::ModelProto model) {
  onnx::TensorProto* t = model.mutable_graph()->add_initializer();
  t->set_name("huge");
  t->set_data_type(onnx::TensorProto::FLOAT);
  t->add_dims(1000000000);
  t->add_dims(1000000000);
  return model;
}

onnx::ModelProto with_absurd_input(onnx::ModelProto model) {
  set_type(model.mutable_graph()->mutable_input(0),
           {int64_t{1}, int64_t{3}, int64_t{100000000}, int64_t{100000000}});
  return model;
}

onnx::ModelProto with_unsupported_ops(onnx::ModelProto model) {
  onnx::GraphProto& g = *model.mutable_graph();
  add_node(g, "NonMaxSuppression", "mystery_nms", {"pool1"}, {"mystery_nms_out"});
  add_node(g, "StringNormalizer", "mystery_text", {"conv2"}, {"mystery_text_out"});
  return model;
}

std::string serialize(const onnx::ModelProto& model) {
  std::string bytes;
  if (!model.SerializeToString(&bytes)) throw error("cannot serialize a test model");
  return bytes;
}

std::string truncated(const std::string& bytes) {
  return bytes.substr(0, bytes.size() / 2);
}

std::string flipped(std::string bytes, size_t offset, size_t count) {
  for (size_t i = offset; i < offset + count && i < bytes.size(); ++i)
    bytes[i] = static_cast<char>(~static_cast<unsigned char>(bytes[i]));
  return bytes;
}

void write_bytes(const std::filesystem::path& file, const std::string& bytes) {
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!out) throw error("cannot write test file ", file.string());
}

std::filesystem::path write_model(const onnx::ModelProto& model,
                                  const std::filesystem::path& file) {
  write_bytes(file, serialize(model));
  return file;
}

std::filesystem::path write_tiny_classifier(const std::filesystem::path& dir) {
  write_bytes(dir / "tiny.labels.txt", "red\ngreen\nblue\nyellow\nviolet\n");
  return write_model(tiny_classifier(), dir / "tiny.onnx");
}

void write_npy_of_dtype(const std::filesystem::path& file, const Shape& shape,
                        const std::string& dtype) {
  std::string dims;
  for (int64_t d : shape) dims += std::to_string(d) + ", ";
  std::string header =
      "{'descr': '" + dtype + "', 'fortran_order': False, 'shape': (" + dims + "), }";
  header.append(63 - (10 + header.size()) % 64, ' ');
  header += '\n';
  std::string bytes = "\x93NUMPY\x01";
  bytes += '\0';
  bytes += static_cast<char>(header.size() & 0xff);
  bytes += static_cast<char>(header.size() >> 8);
  bytes += header;
  const size_t item = std::stoul(dtype.substr(2));
  const int64_t count = element_count(shape);
  for (int64_t i = 0; i < count; ++i) {
    if (dtype[1] == 'f') {
      const double v = static_cast<double>(i);
      bytes.append(reinterpret_cast<const char*>(&v), item);
    } else {
      const int64_t v = i;
      bytes.append(reinterpret_cast<const char*>(&v), item);
    }
  }
  write_bytes(file, bytes);
}

std::vector<std::string> CliResult::err_lines() const {
  std::vector<std::string> lines;
  std::istringstream in(err);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

CliResult run_cli(const std::vector<std::string>& args) {
  TempDir capture;
  const std::string out_file = (capture / "stdout").string(),
                    err_file = (capture / "stderr").string();
  std::vector<std::string> argv_strings = {NEUROSCOPE_CLI};
  argv_strings.insert(argv_strings.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& s : argv_strings) argv.push_back(s.data());
  argv.push_back(nullptr);

  const pid_t pid = fork();
  if (pid < 0) throw error("fork failed");
  if (pid == 0) {  // the child: only async-signal-safe calls until exec
    const int out = open(out_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    const int err = open(err_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (out < 0 || err < 0 || dup2(out, 1) < 0 || dup2(err, 2) < 0) _exit(126);
    execv(argv[0], argv.data());
    _exit(127);
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0)
    if (errno != EINTR) throw error("waitpid failed");
  CliResult result;
  if (WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) result.signal = WTERMSIG(status);
  result.out = read_all(out_file);
  result.err = read_all(err_file);
  return result;
}

void expect_cli_error(const CliResult& result, int exit_code,
                      const std::vector<std::string>& keywords) {
  EXPECT_EQ(result.signal, 0) << "killed by signal " << result.signal << "; stderr: " << result.err;
  EXPECT_EQ(result.exit_code, exit_code) << "stderr: " << result.err;
  EXPECT_EQ(result.out, "") << "a failed run should print nothing on stdout";
  const std::vector<std::string> lines = result.err_lines();
  ASSERT_EQ(lines.size(), 1u) << "stderr should be exactly one line, got:\n" << result.err;
  EXPECT_TRUE(lines[0].starts_with("neuroscope: error: ")) << lines[0];
  EXPECT_TRUE(result.err.ends_with("\n"));
  for (const std::string& keyword : keywords)
    EXPECT_NE(lines[0].find(keyword), std::string::npos)
        << "the message should mention \"" << keyword << "\": " << lines[0];
}

onnx::ModelProto vector_input_classifier() {
  onnx::ModelProto model = tiny_classifier();
  auto* graph = model.mutable_graph();
  graph->mutable_input(0)->set_name("flat");
  auto* dims = graph->mutable_input(0)->mutable_type()->mutable_tensor_type()->mutable_shape();
  dims->clear_dim();
  dims->add_dim()->set_dim_value(1);
  dims->add_dim()->set_dim_value(6);
  google::protobuf::RepeatedPtrField<onnx::NodeProto> kept;
  for (const auto& node : graph->node())
    if (node.op_type() == "Gemm" || node.op_type() == "Softmax") *kept.Add() = node;
  graph->mutable_node()->Swap(&kept);
  return model;
}

}  // namespace neuroscope::testing
