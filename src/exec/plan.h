// The executor: compiles a shaped, truncated graph into a flat list of steps (oneDNN primitives
// and loops) for the forward pass and the backward-to-input pass. Everything is created here,
// once; running a step allocates nothing.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "exec/dnnl_util.h"
#include "graph/specialize.h"
#include "ops/op.h"

namespace neuroscope::exec {

struct Step {
  std::string label;  // the node name, or what a helper step does
  std::string op;     // op type, "reorder", "sum" or "zero"
  std::function<void(dnnl::stream&)> run;
};

constexpr int kTapWriter = -2;  // Value::first_writer when the objective's gradient comes first

// One tensor of a compiled plan.
struct Value {
  std::string name;
  Shape shape;
  Desc desc;   // layout chosen by its producer
  memory mem;  // forward values
  bool depends_on_input = false;
  bool needs_grad = false;  // depends on an input and some tap depends on it
  memory diff;              // gradient, in `desc`; complete once all contributions are in
  int contributions = 0;    // expected gradient contributions (consumer inputs and taps)
  int claimed = 0;          // contributions whose writer has been compiled
  // The contribution that runs first in the backward pass (the tap's, or that of the consuming
  // node compiled last, through its first input that reads this value) overwrites `diff`;
  // later ones add to it (gradient_accumulates) or go to `parts`, summed into `diff` at the end.
  int first_writer = -1;  // node index, or kTapWriter
  size_t first_writer_input = 0;
  std::vector<memory> parts;
  // Set when this value lives inside the buffer of the Concat that consumes it (see
  // in_place_concat.cpp): the Concat neither copies it forward nor slices its gradient.
  bool in_place = false;
  // Set when the producer's ReLU mask may be applied by the single consumer (offer_relu_mask),
  // and when that consumer does apply it (take_relu_mask).
  bool relu_mask_offered = false;
  bool relu_mask_taken = false;
};

// A Concat whose inputs are written straight into its output buffer (batch 1, channel axis).
struct ConcatGroup {
  std::string output;
  std::vector<std::string> members;  // the Concat's inputs, in order (constants included)
  std::vector<int64_t> offsets;      // their first channel in the output
  bool settled = false;              // layout chosen (by the first member compiled)
  bool usable = false;               // members may be placed (layout and offsets fit)
  int64_t block = 0;                 // channel block size of the layout
  Desc desc;                         // the output's layout
  memory mem, diff;                  // the output's buffers
};

class Plan;

// What an op's compile function sees: its node, shapes, constant inputs and the buffers of its
// inputs and outputs. It adds forward steps and, if gradients are wanted, backward steps.
class OpContext {
 public:
  OpContext(Plan& plan, const graph::Node& node, int index);

  const graph::Node& node() const { return node_; }
  int64_t opset() const;
  const dnnl::engine& engine() const { return cpu_engine(); }
  // The data type convolutions compute in and hand on: f32, or bf16 in bfloat16 plans.
  memory::data_type conv_type() const;
  // Whether convolutions may use Winograd's algorithm (Precision::kFloat32Winograd).
  bool winograd_allowed() const;
  bool training() const;  // a backward pass will run

  size_t num_inputs() const { return node_.inputs.size(); }
  size_t num_outputs() const { return node_.outputs.size(); }
  bool has_input(size_t i) const { return node_.has_input(i); }
  const Shape& input_shape(size_t i) const;
  const Shape& output_shape(size_t i) const;
  const graph::Constant* constant(size_t i) const;
  const graph::Constant& require_constant(size_t i, std::string_view role) const;

  // Forward. input() returns input i in the layout its producer chose, or reordered to `want`
  // by a step that runs before this op's own steps.
  Desc input_desc(size_t i) const;
  memory input(size_t i);
  memory input(size_t i, const Desc& want);
  memory input_plain(size_t i) { return input(i, plain_desc(input_shape(i))); }
  // A constant input as a memory in layout `want`, reordered once now (weights). `layout`
  // describes the constant's row-major bytes when they are to be read under other dims or
  // strides (grouped convolution weights, transposed matrices); default: plain, own shape.
  memory constant_memory(size_t i, const Desc& want, const Desc& layout = Desc());
  // Any host values (e.g. scaled constants) as a memory in layout `want`.
  memory constant_memory(std::vector<float> values, const Desc& layout, const Desc& want);
  // Allocates output i in the layout the op chose.
  memory output(size_t i, const Desc& desc);
  memory output_plain(size_t i) { return output(i, plain_desc(output_shape(i))); }
  // Output i feeds only the objective (a tap no node reads), and output_into_tap(i): its plain
  // buffer is the tap's tensor, so no copy reads it out; its gradient, read-only for the op, is
  // the objective's own tensor where that is the only gradient.
  bool output_only_for_objective(size_t i) const;
  memory output_into_tap(size_t i);
  // Output i is input memory `base` read under the output's shape (plain layout): no copy.
  memory output_view(size_t i, const memory& base);
  // A private buffer (workspace, intermediate), allocated once.
  memory buffer(const Desc& desc);
  void forward(const dnnl::primitive& p, std::unordered_map<int, memory> args);
  void forward(std::function<void()> loop);

  // Backward. needs_grad(i): whether the gradient of input i is wanted.
  bool needs_grad(size_t i) const;
  // The complete gradient of output i, in the output's layout or reordered to `want`.
  memory diff_output(size_t i);
  memory diff_output(size_t i, const Desc& want);
  memory diff_output_plain(size_t i) { return diff_output(i, plain_desc(output_shape(i))); }
  // Where this op writes its contribution to the gradient of input i (overwrite, not add).
  memory diff_input(size_t i, const Desc& desc);
  memory diff_input_plain(size_t i) { return diff_input(i, plain_desc(input_shape(i))); }
  // For ops that can add their contribution to what the buffer holds (a sum post-op): whether
  // a contribution in layout `desc` must be added, because another consumer's is there first.
  // Only then does diff_input_accumulating return that buffer (to add to); else diff_input.
  bool gradient_accumulates(size_t i, const Desc& desc) const;
  memory diff_input_accumulating(size_t i, const Desc& desc);
  void backward(const dnnl::primitive& p, std::unordered_map<int, memory> args);
  void backward(std::function<void()> loop);
  // A step that runs primitives itself (on the plan's stream) and loops around them.
  void backward(std::function<void(dnnl::stream&)> run);

  // In-place Concat (in_place_concat.cpp). planned_output_desc: the layout the output must
  // take, or an empty Desc when the op chooses. input_in_place: input i already sits in the
  // output buffer. output_region / diff_output_region: where input i goes in the output (and
  // its gradient), in the output's layout.
  Desc planned_output_desc(size_t i) const;
  bool input_in_place(size_t i) const {
    return has_input(i) && !constant(i) && value_in(i).in_place;
  }
  memory output_region(size_t i) const;
  memory diff_output_region(size_t i) const;

  // Per image of the batch: whether ReLU gradients are redirected (see relu_backward in
  // ops/eltwise.h). Set between steps by Plan::redirect_relu_gradients; read by loops.
  const uint8_t* relu_redirect_flags() const;
  // A ReLU fused into this op's output i may leave its gradient mask (dy where y > 0) to the
  // output's only consumer: the returned flag, read when the backward runs, says whether the
  // consumer took it. take_relu_mask(i): the consumer of input i takes it if offered; it then
  // zeroes the gradient it writes where the input is not positive, except for the images whose
  // ReLU gradients are redirected (relu_redirect_flags), which the producer still handles.
  const bool* offer_relu_mask(size_t i);
  bool take_relu_mask(size_t i);

  // "node 'conv1' (Conv)", for messages.
  std::string describe() const { return node_.describe(); }

 private:
  friend class Plan;
  Step make_step(std::string op, std::function<void(dnnl::stream&)> run) const;
  Value& value_in(size_t i) const;
  Value& value_out(size_t i) const;

  bool writes_first(size_t i) const;

  Plan& plan_;
  const graph::Node& node_;
  int index_;  // the node's position in the graph
  std::vector<Step> forward_pre_, forward_;
  std::vector<Step> backward_pre_, backward_, backward_post_;
};

struct PlanOptions {
  std::vector<std::string> taps;  // tensors whose values are read (and gradients fed)
  bool gradients = true;          // build the backward-to-input pass
  bool bf16 = false;              // convolutions in bfloat16 (see Precision in network.h)
  bool winograd = false;          // Winograd convolutions where they pay (ditto)
};

// Time spent in one step, accumulated while profiling is on.
struct ProfileEntry {
  std::string label, op, pass;
  double seconds = 0;
  int64_t runs = 0;
};

class Plan {
 public:
  Plan(graph::ShapedGraph shaped, PlanOptions options);
  Plan(const Plan&) = delete;
  Plan& operator=(const Plan&) = delete;

  const graph::ShapedGraph& graph() const { return graph_; }
  const std::vector<std::string>& input_names() const { return input_names_; }
  const std::vector<std::string>& tap_names() const { return options_.taps; }

  Tensor& input(std::string_view name);  // write inputs here
  void forward();
  const Tensor& tap(std::string_view name) const;  // values after forward()
  Tensor& tap_gradient(std::string_view name);     // write d(objective)/d(tap) here
  void backward();
  const Tensor& input_gradient(std::string_view name) const;

  // Lucid's redirected ReLU gradient, per image (flags[b] != 0): where a ReLU lets no
  // gradient of that image through, upward gradients pass as if it were the identity.
  void redirect_relu_gradients(const std::vector<uint8_t>& flags);
  int64_t batch() const { return static_cast<int64_t>(relu_redirect_.size()); }

  void set_profiling(bool on) { profiling_ = on; }
  std::vector<ProfileEntry> profile() const;
  void reset_profile();
  size_t buffer_bytes() const { return buffer_bytes_; }
  // Multiply-add FLOPs (2 per MAC) of convolutions and matrix products, per pass.
  double forward_flops() const { return forward_flops_; }
  double backward_flops() const { return backward_flops_; }

 private:
  friend class OpContext;
  Value& value(const std::string& name);
  memory allocate(const Desc& desc);
  void analyze_gradients();
  void plan_in_place_concats();
  // The buffers of a value the op wants in layout `desc`: its own, or a view into the output
  // buffer of the Concat that consumes it. Fills v.desc, v.mem and (if needed) v.diff.
  void place_value(Value& v, const Desc& desc);
  // Input `member`'s part of a placed Concat output buffer `whole`.
  memory concat_region(const ConcatGroup& group, size_t member, const memory& whole) const;
  // A Concat input's shape: a value's, or a constant's.
  const Shape& member_shape(const std::string& name) const;
  void compile_nodes();
  void add_tap_steps();
  void count_flops(const graph::Node& node, bool input_gradient);
  void add_finalize_steps(Value& v, std::vector<Step>& steps);
  Step reorder_step(const memory& from, const memory& to, std::string label) const;
  void run(std::vector<Step>& steps, std::vector<double>& seconds, int64_t& runs);

  graph::ShapedGraph graph_;
  PlanOptions options_;
  std::map<std::string, Value, std::less<>> values_;
  std::vector<std::string> input_names_;
  std::map<std::string, Tensor, std::less<>> inputs_, taps_, tap_grads_, input_grads_;
  std::vector<memory> constants_;       // reordered weights, kept alive
  std::vector<memory> owned_;           // every buffer allocate() made, alive as long as the plan
  std::vector<uint8_t> relu_redirect_;  // per image of the batch
  // Layout conversions of a value made for its consumers, shared between them.
  std::map<std::string, std::vector<std::pair<Desc, memory>>, std::less<>> converted_;
  std::map<std::string, ConcatGroup, std::less<>> concat_groups_;     // by Concat output
  std::map<std::string, std::string, std::less<>> concat_member_of_;  // member -> Concat output
  std::vector<Step> forward_steps_, backward_steps_;
  dnnl::stream stream_;
  bool profiling_ = false;
  std::vector<double> forward_seconds_, backward_seconds_;
  int64_t forward_runs_ = 0, backward_runs_ = 0;
  size_t buffer_bytes_ = 0;
  double forward_flops_ = 0, backward_flops_ = 0;
};

}  // namespace neuroscope::exec
