// neuroscope/network.h: a model compiled for fixed input shapes and a set of tensors to read,
// running forward and backward-to-input.
//
//   neuroscope::Network net(model, {.input_shapes = {{"data", {1, 3, 224, 224}}},
//                                   .outputs = {"inception_4d/output"}});
//   fill(net.input());                       // NCHW float32, the raw network input
//   net.forward();
//   const Tensor& act = net.output("inception_4d/output");
//   Tensor& g = net.output_gradient("inception_4d/output");   // d(objective)/d(act)
//   ... write g ...
//   net.backward();
//   const Tensor& dx = net.input_gradient();
//
// Only the part of the graph the requested outputs depend on is compiled. All buffers and
// primitives are created by the constructor; forward() and backward() allocate nothing.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "neuroscope/model.h"
#include "neuroscope/tensor.h"

namespace neuroscope {

namespace exec {
class Plan;
}

enum class Precision {
  kFloat32,   // everything in float32 (the default; what the tests hold to tight tolerances).
              // 3x3 stride-1 convolutions with 16 or more 2x2 output tiles per image use our
              // Winograd F(2x2,3x3) on AVX2 and AVX-512 CPUs: 2.25x fewer multiplications, and
              // as close to exact as direct convolution (its transforms only add and halve)
  kBFloat16,  // convolutions take and give bfloat16 (AMX/AVX512-BF16 where the CPU has them),
              // accumulating in float32; other ops and all values read or fed stay float32
  kFloat32Winograd,  // float32, but 3x3 stride-1 convolutions with enough output positions
                     // (batch x height x width) use oneDNN's Winograd F(4x4,3x3): 4x fewer
                     // multiplications there, with rounding errors ~5x those of direct
                     // convolution. Values agree with kFloat32 to ~1e-5; gradients may differ
                     // wherever a ReLU or max-pool input lies within that distance of its kink.
                     // For rendering, not checking.
};

// Why this CPU cannot run `precision` with the oneDNN neuroscope was built with (oneDNN 2.6
// has bfloat16 and Winograd convolutions for AVX-512 CPUs only); empty when it can. Network
// throws this message for such a precision.
std::string precision_unavailable_reason(Precision precision);

struct NetworkOptions {
  // Shapes per input; missing inputs get Model::default_input_shape. Batch and spatial sizes
  // may differ from the declared ones wherever the graph allows.
  std::map<std::string, Shape> input_shapes;
  // Tensors to compute and read (any run-time tensor); empty: the model's outputs.
  std::vector<std::string> outputs;
  // Build the backward-to-input pass.
  bool gradients = true;
  Precision precision = Precision::kFloat32;
  // Per requested output, the channels (axis 1) that will be read; outputs not listed are read
  // whole. Work that feeds only other channels may be skipped (the other branches of an
  // inception module whose output is read at one channel): those channels then read zero, and
  // their gradients must be left zero.
  std::map<std::string, std::vector<int64_t>> read_channels;
};

// One timed step of a profiled run.
struct ProfileRow {
  std::string pass;   // "forward" or "backward"
  std::string op;     // op type, or "reorder" / "sum" for layout and gradient plumbing
  std::string label;  // node or tensor name
  double milliseconds_per_run = 0;
};

class Network {
 public:
  Network(const Model& model, NetworkOptions options = {});
  ~Network();
  Network(Network&&) noexcept;
  Network& operator=(Network&&) noexcept;

  const std::vector<std::string>& input_names() const;
  const std::vector<std::string>& output_names() const;  // as requested
  // Whether the values of `output` are computed at these channels (at every channel), i.e.
  // none of them was skipped for NetworkOptions::read_channels.
  bool computes_channels(std::string_view output, const std::vector<int64_t>& channels) const;
  bool computes_all_channels(std::string_view output) const;
  // The input buffer to fill before forward(); name may be omitted for single-input models.
  Tensor& input(std::string_view name = {});
  void forward();
  const Tensor& output(std::string_view name) const;
  // Write d(objective)/d(output) here before backward(). Zero-filled at construction.
  Tensor& output_gradient(std::string_view name);
  void backward();
  const Tensor& input_gradient(std::string_view name = {}) const;

  // Lucid's redirected ReLU gradients for the images flagged (one flag per image of the
  // batch): where a ReLU would let none of an image's gradient through, gradients that push
  // its input up pass as if it were the identity. Off for every image by default.
  void redirect_relu_gradients(const std::vector<uint8_t>& per_image);

  void set_profiling(bool on);
  std::vector<ProfileRow> profile() const;
  void reset_profile();
  // Bytes of activations, gradients and weights held by the compiled plan.
  size_t memory_bytes() const;
  // FLOPs (2 per multiply-add) of the convolutions and matrix products in one forward and
  // one backward-to-input pass.
  double forward_flops() const;
  double backward_flops() const;

 private:
  std::string internal_name(std::string_view requested) const;
  std::string input_key(std::string_view name) const;
  std::unique_ptr<exec::Plan> plan_;
  std::vector<std::string> requested_;
  std::map<std::string, std::string, std::less<>> tap_of_;  // requested name -> plan tap
  // Per plan tap, the channel ranges [begin, end) skipped for NetworkOptions::read_channels.
  std::map<std::string, std::vector<std::pair<int64_t, int64_t>>, std::less<>> skipped_;
};

}  // namespace neuroscope
