#include "exec/plan.h"

#include <chrono>
#include <cstring>
#include <set>

#include "neuroscope/error.h"

namespace neuroscope::exec {

// ---------------------------------------------------------------------------------------------
// OpContext

OpContext::OpContext(Plan& plan, const graph::Node& node, int index)
    : plan_(plan), node_(node), index_(index) {}

int64_t OpContext::opset() const {
  return plan_.graph_.graph.opset;
}

bool OpContext::winograd_allowed() const {
  return plan_.options_.winograd;
}

memory::data_type OpContext::conv_type() const {
  return plan_.options_.bf16 ? memory::data_type::bf16 : memory::data_type::f32;
}

bool OpContext::training() const {
  if (!plan_.options_.gradients) return false;
  bool output_grad = false, input_grad = false;
  for (const std::string& out : node_.outputs)
    if (!out.empty() && plan_.value(out).needs_grad) output_grad = true;
  for (size_t i = 0; i < node_.inputs.size(); ++i)
    if (needs_grad(i)) input_grad = true;
  return output_grad && input_grad;
}

const Shape& OpContext::input_shape(size_t i) const {
  NS_CHECK(has_input(i), describe(), " input ", i);
  if (const graph::Constant* c = constant(i)) return c->shape;
  return plan_.graph_.shape_of(node_.inputs[i]);
}

const Shape& OpContext::output_shape(size_t i) const {
  NS_CHECK(i < node_.outputs.size(), describe(), " output ", i);
  return plan_.graph_.shape_of(node_.outputs[i]);
}

const graph::Constant* OpContext::constant(size_t i) const {
  if (!has_input(i)) return nullptr;
  auto it = plan_.graph_.graph.constants.find(node_.inputs[i]);
  return it == plan_.graph_.graph.constants.end() ? nullptr : &it->second;
}

const graph::Constant& OpContext::require_constant(size_t i, std::string_view role) const {
  const graph::Constant* c = constant(i);
  if (!c)
    throw error(plan_.graph_.graph.source, ": ", describe(), ": its ", role, " (input ", i, ", '",
                has_input(i) ? node_.inputs[i] : std::string("<missing>"),
                "') must be a constant; computed ", role, " are not supported");
  return *c;
}

Value& OpContext::value_in(size_t i) const {
  NS_CHECK(has_input(i) && !constant(i), describe(), " input ", i, " is not a run-time tensor");
  return plan_.value(node_.inputs[i]);
}

Value& OpContext::value_out(size_t i) const {
  NS_CHECK(i < node_.outputs.size() && !node_.outputs[i].empty(), describe(), " output ", i);
  return plan_.value(node_.outputs[i]);
}

Desc OpContext::input_desc(size_t i) const {
  return value_in(i).desc;
}

memory OpContext::input(size_t i) {
  return value_in(i).mem;
}

memory OpContext::input(size_t i, const Desc& want) {
  Value& v = value_in(i);
  if (want == v.desc) return v.mem;
  for (const auto& [desc, mem] : plan_.converted_[v.name])
    if (desc == want) return mem;
  memory converted = plan_.allocate(want);
  forward_pre_.push_back(plan_.reorder_step(v.mem, converted, "to layout of " + describe()));
  forward_pre_.back().label = v.name;
  plan_.converted_[v.name].emplace_back(want, converted);
  return converted;
}

memory OpContext::constant_memory(size_t i, const Desc& want, const Desc& layout) {
  const graph::Constant& c = require_constant(i, "weights");
  return constant_memory(c.as_floats(), layout.data.ndims ? layout : plain_desc(c.shape), want);
}

memory OpContext::constant_memory(std::vector<float> values, const Desc& layout, const Desc& want) {
  NS_CHECK(layout.get_size() <= values.size() * sizeof(float), describe());
  memory source(layout, engine(), values.data());
  memory result(want, engine());
  reorder_now(describe(), source, result);
  plan_.constants_.push_back(result);
  plan_.buffer_bytes_ += want.get_size();
  return result;
}

memory OpContext::output(size_t i, const Desc& desc) {
  Value& v = value_out(i);
  NS_CHECK(!v.mem, describe(), " output ", i, " allocated twice");
  NS_CHECK(desc.dims() == to_dims(v.shape.empty() ? Shape{1} : v.shape), describe(),
           " output layout dims do not match the inferred shape ", to_string(v.shape));
  plan_.place_value(v, desc);
  return v.mem;
}

memory OpContext::output_view(size_t i, const memory& base) {
  Value& v = value_out(i);
  NS_CHECK(!v.mem, describe(), " output ", i, " allocated twice");
  v.desc = plain_desc(v.shape);
  NS_CHECK(v.desc.get_size() == base.get_desc().get_size(), describe(), " view of another size");
  v.mem = memory(v.desc, engine(), base.get_data_handle());
  if (v.needs_grad) v.diff = plan_.allocate(v.desc);
  return v.mem;
}

bool OpContext::output_only_for_objective(size_t i) const {
  const std::string& name = value_out(i).name;
  if (!plan_.taps_.count(name)) return false;
  for (const graph::Node& n : plan_.graph_.graph.nodes)
    if (std::count(n.inputs.begin(), n.inputs.end(), name)) return false;
  return true;
}

memory OpContext::output_into_tap(size_t i) {
  Value& v = value_out(i);
  NS_CHECK(!v.mem, describe(), " output ", i, " allocated twice");
  NS_CHECK(plan_.taps_.count(v.name), describe(), " output '", v.name, "' is not a tap");
  v.desc = plain_desc(v.shape);
  v.mem = memory(v.desc, engine(), plan_.taps_.at(v.name).data());
  if (v.needs_grad) {
    // The objective's gradient is the only one when nothing else reads the tensor: then the op
    // reads it where the objective wrote it (and must not write to it).
    v.diff = v.contributions == 1 ? memory(v.desc, engine(), plan_.tap_grads_.at(v.name).data())
                                  : plan_.allocate(v.desc);
  }
  return v.mem;
}

memory OpContext::buffer(const Desc& desc) {
  return plan_.allocate(desc);
}

Step OpContext::make_step(std::string op, std::function<void(dnnl::stream&)> run) const {
  return Step{node_.name, std::move(op), std::move(run)};
}

void OpContext::forward(const dnnl::primitive& p, std::unordered_map<int, memory> args) {
  forward_.push_back(make_step(
      node_.op_type, [p, args = std::move(args)](dnnl::stream& s) { p.execute(s, args); }));
}

void OpContext::forward(std::function<void()> loop) {
  forward_.push_back(make_step(node_.op_type, [loop = std::move(loop)](dnnl::stream&) { loop(); }));
}

bool OpContext::needs_grad(size_t i) const {
  if (!plan_.options_.gradients || !has_input(i) || constant(i)) return false;
  return plan_.value(node_.inputs[i]).needs_grad;
}

memory OpContext::diff_output(size_t i) {
  Value& v = value_out(i);
  if (!v.needs_grad) {
    // Nothing downstream of this output reaches a tap: its gradient is zero.
    if (!v.diff) {
      v.diff = plan_.allocate(v.desc);
      std::memset(v.diff.get_data_handle(), 0, v.desc.get_size());
    }
  }
  return v.diff;
}

memory OpContext::diff_output(size_t i, const Desc& want) {
  memory diff = diff_output(i);
  const Value& v = value_out(i);
  if (want == v.desc) return diff;
  memory converted = plan_.allocate(want);
  backward_pre_.push_back(
      plan_.reorder_step(diff, converted, "gradient to layout of " + describe()));
  backward_pre_.back().label = v.name;
  return converted;
}

bool OpContext::writes_first(size_t i) const {
  const Value& v = value_in(i);
  return v.first_writer == index_ && v.first_writer_input == i;
}

memory OpContext::diff_input(size_t i, const Desc& desc) {
  NS_CHECK(needs_grad(i), describe(), " writes a gradient nobody asked for (input ", i, ")");
  Value& v = value_in(i);
  ++v.claimed;
  if (writes_first(i)) {
    if (desc == v.desc) return v.diff;
    memory staged = plan_.allocate(desc);
    backward_post_.push_back(plan_.reorder_step(staged, v.diff, "gradient from " + describe()));
    backward_post_.back().label = v.name;
    return staged;
  }
  memory part = plan_.allocate(desc);
  v.parts.push_back(part);
  return part;
}

bool OpContext::gradient_accumulates(size_t i, const Desc& desc) const {
  return needs_grad(i) && !writes_first(i) && desc == value_in(i).desc;
}

memory OpContext::diff_input_accumulating(size_t i, const Desc& desc) {
  NS_CHECK(gradient_accumulates(i, desc), describe(), " would add to a gradient buffer that ",
           "holds no earlier contribution (input ", i, ")");
  Value& v = value_in(i);
  ++v.claimed;
  return v.diff;
}

void OpContext::backward(const dnnl::primitive& p, std::unordered_map<int, memory> args) {
  backward_.push_back(make_step(
      node_.op_type, [p, args = std::move(args)](dnnl::stream& s) { p.execute(s, args); }));
}

void OpContext::backward(std::function<void(dnnl::stream&)> run) {
  backward_.push_back(make_step(node_.op_type, std::move(run)));
}

void OpContext::backward(std::function<void()> loop) {
  backward_.push_back(
      make_step(node_.op_type, [loop = std::move(loop)](dnnl::stream&) { loop(); }));
}

// ---------------------------------------------------------------------------------------------
// Plan

Plan::Plan(graph::ShapedGraph shaped, PlanOptions options)
    : graph_(std::move(shaped)), options_(std::move(options)), stream_(cpu_engine()) {
  const graph::Graph& g = graph_.graph;
  for (const graph::Input& in : g.inputs) {
    input_names_.push_back(in.name);
    Value& v = values_[in.name];
    v.name = in.name;
    v.shape = graph_.shape_of(in.name);
    v.desc = plain_desc(v.shape);
    Tensor& t = inputs_[in.name] = Tensor(v.shape);
    v.mem = memory(v.desc, cpu_engine(), t.data());
    v.depends_on_input = true;
  }
  relu_redirect_.assign(g.inputs.empty() || graph_.shape_of(g.inputs.front().name).empty()
                            ? 1
                            : static_cast<size_t>(graph_.shape_of(g.inputs.front().name)[0]),
                        0);
  for (const graph::Node& node : g.nodes)
    for (const std::string& out : node.outputs)
      if (!out.empty()) {
        Value& v = values_[out];
        v.name = out;
        v.shape = graph_.shape_of(out);
      }
  for (const std::string& tap : options_.taps)
    NS_CHECK(values_.count(tap), "tap '", tap, "' is not a run-time tensor of the plan");
  analyze_gradients();
  // The objective's tensors exist before compiling: an op may write a tap straight into its
  // tensor (OpContext::output_into_tap).
  for (const std::string& tap : options_.taps) {
    const Value& v = values_.at(tap);
    taps_[tap] = Tensor(v.shape);
    if (v.needs_grad) tap_grads_[tap] = Tensor(v.shape);
  }
  plan_in_place_concats();
  compile_nodes();
  add_tap_steps();
}

Value& Plan::value(const std::string& name) {
  auto it = values_.find(name);
  NS_CHECK(it != values_.end(), "unknown value '", name, "'");
  return it->second;
}

memory Plan::allocate(const Desc& desc) {
  buffer_bytes_ += desc.get_size();
  memory m = dnnl_call("allocating " + describe(desc), [&] { return memory(desc, cpu_engine()); });
  owned_.push_back(m);  // loops may keep only raw pointers: the plan keeps the buffer alive
  return m;
}

void Plan::analyze_gradients() {
  const graph::Graph& g = graph_.graph;
  for (const graph::Node& node : g.nodes) {
    bool depends = false;
    for (const std::string& in : node.inputs)
      if (!in.empty() && !g.is_constant(in) && values_.at(in).depends_on_input) depends = true;
    for (const std::string& out : node.outputs)
      if (!out.empty()) values_.at(out).depends_on_input = depends;
  }
  if (!options_.gradients) return;
  std::set<std::string> reaches(options_.taps.begin(), options_.taps.end());
  for (auto it = g.nodes.rbegin(); it != g.nodes.rend(); ++it) {
    bool any = false;
    for (const std::string& out : it->outputs)
      if (!out.empty() && reaches.count(out)) any = true;
    if (!any) continue;
    for (const std::string& in : it->inputs)
      if (!in.empty() && !g.is_constant(in)) reaches.insert(in);
  }
  for (auto& [name, v] : values_) v.needs_grad = v.depends_on_input && reaches.count(name) > 0;
  for (const std::string& tap : options_.taps) {
    Value& v = values_.at(tap);
    if (!v.needs_grad) continue;
    ++v.contributions;
    v.first_writer = kTapWriter;  // the objective's gradient is fed before any node's backward
  }
  for (size_t n = 0; n < g.nodes.size(); ++n) {
    const graph::Node& node = g.nodes[n];
    bool output_grad = false;
    for (const std::string& out : node.outputs)
      if (!out.empty() && values_.at(out).needs_grad) output_grad = true;
    if (!output_grad) continue;
    for (size_t i = 0; i < node.inputs.size(); ++i) {
      const std::string& in = node.inputs[i];
      if (in.empty() || g.is_constant(in) || !values_.at(in).needs_grad) continue;
      Value& v = values_.at(in);
      ++v.contributions;
      // Backward runs the nodes in reverse: the last consumer's contribution comes first.
      if (v.first_writer != kTapWriter && v.first_writer != static_cast<int>(n)) {
        v.first_writer = static_cast<int>(n);
        v.first_writer_input = i;
      }
    }
  }
  for (const std::string& name : input_names_) {
    Value& v = values_.at(name);
    if (!v.needs_grad) continue;
    Tensor& grad = input_grads_[name] = Tensor(v.shape);
    v.diff = memory(v.desc, cpu_engine(), grad.data());
  }
}

Step Plan::reorder_step(const memory& from, const memory& to, std::string label) const {
  auto prim = dnnl_call(label, [&] { return dnnl::reorder(from, to); });
  return Step{std::move(label), "reorder", [prim, from, to](dnnl::stream& s) {
                prim.execute(s, {{DNNL_ARG_FROM, from}, {DNNL_ARG_TO, to}});
              }};
}

namespace {

// out += the sum of the buffers, chunk by chunk so that each chunk of `out` stays in cache; an
// AVX-512 clone of the loops is picked at load time where the CPU has it.
__attribute__((target_clones("avx512f", "default"))) void add_chunk(
    const std::vector<const float*>& parts, float* out, int64_t start, int64_t end) {
  for (const float* part : parts)
    for (int64_t i = start; i < end; ++i) out[i] += part[i];
}

void add_buffers(const std::vector<const float*>& parts, float* out, int64_t count) {
  constexpr int64_t kChunk = 4096;
#pragma omp parallel for schedule(static)
  for (int64_t start = 0; start < count; start += kChunk)
    add_chunk(parts, out, start, std::min(count, start + kChunk));
}

}  // namespace

void Plan::add_finalize_steps(Value& v, std::vector<Step>& steps) {
  if (!v.needs_grad) return;
  // Every consumer must have written its part; an in-place Concat input gets its gradient by
  // sharing memory with the Concat's.
  NS_CHECK(v.claimed + (v.in_place ? 1 : 0) == v.contributions, "gradient of '", v.name,
           "': ", v.claimed, " of ", v.contributions, " contributions were produced");
  if (v.parts.empty()) return;
  // `diff` holds the first contribution (and those added to it); the parts are added now.
  const bool same_layout = v.desc.data_type() == memory::data_type::f32 &&
                           std::all_of(v.parts.begin(), v.parts.end(),
                                       [&](const memory& m) { return m.get_desc() == v.desc; });
  if (same_layout) {
    // A loop over the buffers (padding included: zeros add up to zeros), a few times faster
    // than oneDNN 2.6's generic sum on these shapes.
    std::vector<const float*> parts;
    for (const memory& m : v.parts) parts.push_back(data_of(m));
    float* out = data_of(v.diff);
    const auto count = static_cast<int64_t>(v.desc.get_size() / sizeof(float));
    steps.push_back(Step{v.name, "sum",
                         [parts, out, count](dnnl::stream&) { add_buffers(parts, out, count); }});
    return;
  }
  // Other types or layouts: oneDNN's sum into a scratch buffer (its documentation for 2.x does
  // not promise that the destination may be a source), copied back.
  std::vector<Desc> descs{v.desc};
  memory total = allocate(v.desc);
  std::unordered_map<int, memory> args{{DNNL_ARG_DST, total}, {DNNL_ARG_MULTIPLE_SRC, v.diff}};
  for (size_t k = 0; k < v.parts.size(); ++k) {
    descs.push_back(v.parts[k].get_desc());
    args[DNNL_ARG_MULTIPLE_SRC + static_cast<int>(k + 1)] = v.parts[k];
  }
  auto pd = dnnl_call("sum for " + v.name, [&] {
    return dnnl::sum::primitive_desc(v.desc, std::vector<float>(descs.size(), 1.0f), descs,
                                     cpu_engine());
  });
  dnnl::sum prim(pd);
  steps.push_back(Step{v.name, "sum", [prim, args](dnnl::stream& s) { prim.execute(s, args); }});
  steps.push_back(reorder_step(total, v.diff, "gradient sum"));
  steps.back().label = v.name;
}

void Plan::compile_nodes() {
  const graph::Graph& g = graph_.graph;
  std::vector<std::vector<Step>> node_backward(g.nodes.size());
  std::vector<Step> tap_feed;
  // Taps' gradients enter first: the objective is the last consumer of every tap.
  auto feed_tap = [&](const std::string& name) {
    Value& v = values_.at(name);
    if (!v.needs_grad) return;
    Tensor& grad = tap_grads_.at(name);
    ++v.claimed;  // the first contribution (Value::first_writer): straight into diff
    if (v.diff.get_data_handle() == grad.data()) return;  // read in place (output_into_tap)
    memory plain(plain_desc(v.shape), cpu_engine(), grad.data());
    tap_feed.push_back(reorder_step(plain, v.diff, "objective gradient"));
    tap_feed.back().label = name;
  };
  for (const std::string& name : input_names_)
    if (std::count(options_.taps.begin(), options_.taps.end(), name)) feed_tap(name);

  for (size_t n = 0; n < g.nodes.size(); ++n) {
    const graph::Node& node = g.nodes[n];
    const ops::OpSpec* spec = ops::find_op(node.op_type);
    NS_CHECK(spec, node.describe(), " has no engine implementation");
    OpContext ctx(*this, node, static_cast<int>(n));
    spec->compile(ctx);
    count_flops(node, ctx.training() && ctx.needs_grad(0));
    for (size_t o = 0; o < node.outputs.size(); ++o)
      NS_CHECK(node.outputs[o].empty() || values_.at(node.outputs[o]).mem, node.describe(),
               " did not produce output ", o);
    for (Step& s : ctx.forward_pre_) forward_steps_.push_back(std::move(s));
    for (Step& s : ctx.forward_) forward_steps_.push_back(std::move(s));
    for (const std::string& out : node.outputs)
      if (!out.empty() && std::count(options_.taps.begin(), options_.taps.end(), out))
        feed_tap(out);
    if (!ctx.training()) {
      NS_CHECK(ctx.backward_.empty(), node.describe(), " built backward steps it does not need");
      continue;
    }
    auto& steps = node_backward[n];
    for (Step& s : ctx.backward_pre_) steps.push_back(std::move(s));
    for (Step& s : ctx.backward_) steps.push_back(std::move(s));
    for (Step& s : ctx.backward_post_) steps.push_back(std::move(s));
  }

  for (Step& s : tap_feed) backward_steps_.push_back(std::move(s));
  for (size_t n = g.nodes.size(); n-- > 0;) {
    std::vector<Step> finalize;
    for (const std::string& out : g.nodes[n].outputs)
      if (!out.empty()) add_finalize_steps(values_.at(out), finalize);
    for (Step& s : finalize) backward_steps_.push_back(std::move(s));
    for (Step& s : node_backward[n]) backward_steps_.push_back(std::move(s));
  }
  for (const std::string& name : input_names_)
    add_finalize_steps(values_.at(name), backward_steps_);
}

void Plan::count_flops(const graph::Node& node, bool input_gradient) {
  // Products dominate the cost; element-wise ops are memory-bound and not counted.
  double macs = 0;
  const Shape& y = graph_.shape_of(node.outputs.at(0));
  auto shape_of_input = [&](size_t i) -> Shape {
    auto c = graph_.graph.constants.find(node.inputs[i]);
    return c != graph_.graph.constants.end() ? c->second.shape : graph_.shape_of(node.inputs[i]);
  };
  if (node.op_type == "Conv") {
    const Shape w = shape_of_input(1);
    const Shape per_output(w.begin() + 1, w.end());  // input channels (per group) x kernel
    macs = static_cast<double>(element_count(y)) * static_cast<double>(element_count(per_output));
  } else if (node.op_type == "Gemm" || node.op_type == "MatMul") {
    const Shape a = shape_of_input(0);
    const bool trans_a = node.op_type == "Gemm" && node.attr_int("transA", 0) != 0;
    const int64_t k = a.size() >= 2 && trans_a ? a[a.size() - 2] : a.back();
    macs = static_cast<double>(element_count(y)) * static_cast<double>(k);
  }
  forward_flops_ += 2 * macs;
  if (input_gradient) backward_flops_ += 2 * macs;
}

void Plan::add_tap_steps() {
  for (const std::string& name : options_.taps) {
    Value& v = values_.at(name);
    Tensor& t = taps_.at(name);
    if (v.mem.get_data_handle() == t.data()) continue;  // written in place (output_into_tap)
    memory plain(plain_desc(v.shape), cpu_engine(), t.data());
    forward_steps_.push_back(reorder_step(v.mem, plain, "read tap"));
    forward_steps_.back().label = name;
  }
}

Tensor& Plan::input(std::string_view name) {
  auto it = inputs_.find(name);
  if (it == inputs_.end()) throw error("the network has no input named '", name, "'");
  return it->second;
}

const Tensor& Plan::tap(std::string_view name) const {
  auto it = taps_.find(name);
  if (it == taps_.end()) throw error("tensor '", name, "' was not requested when compiling");
  return it->second;
}

Tensor& Plan::tap_gradient(std::string_view name) {
  auto it = tap_grads_.find(name);
  if (it == tap_grads_.end())
    throw error("tensor '", name, "' has no gradient: it was not requested, or does not depend",
                " on the input");
  return it->second;
}

const Tensor& Plan::input_gradient(std::string_view name) const {
  auto it = input_grads_.find(name);
  if (it == input_grads_.end())
    throw error("no gradient for input '", name, "': gradients were not requested or no",
                " requested tensor depends on it");
  return it->second;
}

void Plan::redirect_relu_gradients(const std::vector<uint8_t>& flags) {
  if (flags.size() != relu_redirect_.size())
    throw error("redirect_relu_gradients: ", flags.size(), " flags for a batch of ",
                relu_redirect_.size());
  std::copy(flags.begin(), flags.end(), relu_redirect_.begin());
}

const bool* OpContext::offer_relu_mask(size_t i) {
  Value& v = value_out(i);
  v.relu_mask_offered = true;
  return &v.relu_mask_taken;
}

bool OpContext::take_relu_mask(size_t i) {
  if (!needs_grad(i)) return false;
  Value& v = value_in(i);
  if (!v.relu_mask_offered || v.contributions != 1) return false;
  v.relu_mask_taken = true;
  return true;
}

const uint8_t* OpContext::relu_redirect_flags() const {
  return plan_.relu_redirect_.data();
}

void Plan::forward() {
  run(forward_steps_, forward_seconds_, forward_runs_);
}

void Plan::backward() {
  if (!options_.gradients) throw error("this network was compiled without gradients");
  run(backward_steps_, backward_seconds_, backward_runs_);
}

void Plan::reset_profile() {
  forward_seconds_.assign(forward_steps_.size(), 0.0);
  backward_seconds_.assign(backward_steps_.size(), 0.0);
  forward_runs_ = backward_runs_ = 0;
}

std::vector<ProfileEntry> Plan::profile() const {
  std::vector<ProfileEntry> entries;
  auto collect = [&](const std::vector<Step>& steps, const std::vector<double>& seconds,
                     int64_t runs, const char* pass) {
    for (size_t i = 0; i < steps.size() && i < seconds.size(); ++i)
      entries.push_back(ProfileEntry{steps[i].label, steps[i].op, pass, seconds[i], runs});
  };
  collect(forward_steps_, forward_seconds_, forward_runs_, "forward");
  collect(backward_steps_, backward_seconds_, backward_runs_, "backward");
  return entries;
}

void Plan::run(std::vector<Step>& steps, std::vector<double>& seconds, int64_t& runs) {
  try {
    if (!profiling_) {
      for (Step& s : steps) s.run(stream_);
      stream_.wait();
      return;
    }
    if (seconds.size() != steps.size()) seconds.assign(steps.size(), 0.0);
    for (size_t i = 0; i < steps.size(); ++i) {
      const auto start = std::chrono::steady_clock::now();
      steps[i].run(stream_);
      stream_.wait();
      seconds[i] += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    }
    ++runs;
  } catch (const dnnl::error& e) {
    throw error("oneDNN failed while running: ", e.what());
  }
}

}  // namespace neuroscope::exec
