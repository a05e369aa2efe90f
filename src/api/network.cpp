#include "neuroscope/network.h"

#include <algorithm>
#include <dnnl.hpp>

#include "exec/plan.h"
#include "graph/specialize.h"
#include "neuroscope/error.h"

namespace neuroscope {
namespace {

void check_input_shape(const Model& model, const ModelInput& in, const Shape& given) {
  const std::string file = model.path().string();
  if (!in.shape.empty() && given.size() != in.shape.size())
    throw error(file, ": input '", in.name, "' has rank ", in.shape.size(), " (",
                to_string(in.shape), "), but a shape of rank ", given.size(),
                " was given: ", to_string(given));
  // The channel count is fixed by the weights; batch and spatial sizes may change.
  if (in.shape.size() >= 2 && in.shape[1] > 0 && given[1] != in.shape[1])
    throw error(file, ": input '", in.name, "' has ", in.shape[1], " channels (",
                to_string(in.shape), "), but ", to_string(given), " was given");
}

// NetworkOptions::read_channels by plan tap, checked against the outputs' shapes. A tap asked
// for under two names is read at the union of their channels.
graph::ChannelsRead read_channels(const Model& model, const NetworkOptions& options,
                                  const graph::ShapedGraph& shaped,
                                  const std::map<std::string, std::string, std::less<>>& tap_of) {
  graph::ChannelsRead read;
  for (const auto& [name, channels] : options.read_channels) {
    auto tap = tap_of.find(name);
    if (tap == tap_of.end())
      throw error(model.path().string(), ": channels to read were given for '", name,
                  "', which is not among the requested outputs");
    const Shape& shape = shaped.shape_of(tap->second);
    if (shape.size() < 2)
      throw error(model.path().string(), ": tensor '", name, "' has shape ", to_string(shape),
                  ", which has no channel axis to read channels of");
    for (int64_t c : channels)
      if (c < 0 || c >= shape[1])
        throw error(model.path().string(), ": channel ", c, " is out of range; '", name, "' has ",
                    shape[1], " channels (0..", shape[1] - 1, ")");
    std::vector<int64_t>& merged = read[tap->second];
    merged.insert(merged.end(), channels.begin(), channels.end());
  }
  // A tap requested under another name too, without a channel list, is read whole.
  for (const auto& [name, tap] : tap_of)
    if (!options.read_channels.count(name)) read.erase(tap);
  return read;
}

}  // namespace

std::string precision_unavailable_reason(Precision precision) {
  if (precision == Precision::kFloat32) return {};
  using dnnl::cpu_isa;
  const cpu_isa isa = dnnl::get_effective_cpu_isa();
  if (isa == cpu_isa::avx512_core || isa == cpu_isa::avx512_core_vnni ||
      isa == cpu_isa::avx512_core_bf16 || isa == cpu_isa::avx512_core_amx)
    return {};
  return precision == Precision::kBFloat16
             ? "bfloat16 precision needs a CPU with AVX-512 (AVX512-BF16 or AMX to be fast); use "
               "float32 on this one"
             : "Winograd convolutions need a CPU with AVX-512 (oneDNN 2.6 has them for no "
               "other); use float32 on this one";
}

Network::Network(const Model& model, NetworkOptions options) {
  const auto inputs = model.inputs();
  std::map<std::string, Shape> shapes;
  for (const ModelInput& in : inputs) {
    if (!in.is_float)
      throw error(model.path().string(), ": input '", in.name,
                  "' is not a float tensor; neuroscope feeds float32 images");
    auto given = options.input_shapes.find(in.name);
    if (given != options.input_shapes.end()) {
      check_input_shape(model, in, given->second);
      shapes[in.name] = given->second;
    } else {
      shapes[in.name] = model.default_input_shape(in.name);
    }
  }
  for (const auto& [name, shape] : options.input_shapes)
    if (!shapes.count(name))
      throw error(model.path().string(), ": the model has no input named '", name, "'");

  if (std::string why = precision_unavailable_reason(options.precision); !why.empty())
    throw error(why);
  requested_ = options.outputs.empty() ? model.outputs() : options.outputs;
  for (const std::string& name : requested_) model.resolve_tensor(name);  // friendly errors

  // Only what the requested tensors need is specialized: layers past them never see the shapes.
  graph::Graph needed = model.graph();
  graph::truncate(needed, requested_);
  graph::ShapedGraph shaped = graph::specialize(needed, shapes);
  std::vector<std::string> taps;
  for (const std::string& name : requested_) {
    std::string internal = shaped.graph.resolve(name);
    if (shaped.graph.is_constant(internal))
      throw error(model.path().string(), ": tensor '", name,
                  "' does not depend on the input (it folds to a constant)");
    tap_of_[name] = internal;
    if (std::find(taps.begin(), taps.end(), internal) == taps.end()) taps.push_back(internal);
  }
  graph::truncate(shaped, taps);
  graph::fold_batchnorm(shaped, taps);
  graph::fuse_activations(shaped, taps);
  if (!options.read_channels.empty()) {
    skipped_ = graph::prune_unread_channels(shaped, read_channels(model, options, shaped, tap_of_));
    graph::truncate(shaped, taps);
  }
  plan_ = std::make_unique<exec::Plan>(
      std::move(shaped),
      exec::PlanOptions{taps, options.gradients, options.precision == Precision::kBFloat16,
                        options.precision == Precision::kFloat32Winograd});
}

Network::~Network() = default;
Network::Network(Network&&) noexcept = default;
Network& Network::operator=(Network&&) noexcept = default;

const std::vector<std::string>& Network::input_names() const {
  return plan_->input_names();
}
const std::vector<std::string>& Network::output_names() const {
  return requested_;
}

std::string Network::input_key(std::string_view name) const {
  if (!name.empty()) return std::string(name);
  if (plan_->input_names().size() != 1)
    throw error("the model has ", plan_->input_names().size(), " inputs; name the one you mean");
  return plan_->input_names().front();
}

std::string Network::internal_name(std::string_view requested) const {
  auto it = tap_of_.find(requested);
  if (it == tap_of_.end())
    throw error("tensor '", requested, "' was not among the outputs requested when compiling");
  return it->second;
}

Tensor& Network::input(std::string_view name) {
  return plan_->input(input_key(name));
}
void Network::forward() {
  plan_->forward();
}
bool Network::computes_channels(std::string_view output,
                                const std::vector<int64_t>& channels) const {
  auto skipped = skipped_.find(internal_name(output));
  if (skipped == skipped_.end()) return true;
  return std::none_of(channels.begin(), channels.end(), [&](int64_t c) {
    return std::any_of(skipped->second.begin(), skipped->second.end(),
                       [&](const auto& range) { return c >= range.first && c < range.second; });
  });
}

bool Network::computes_all_channels(std::string_view output) const {
  return !skipped_.count(internal_name(output));
}

const Tensor& Network::output(std::string_view name) const {
  return plan_->tap(internal_name(name));
}
Tensor& Network::output_gradient(std::string_view name) {
  return plan_->tap_gradient(internal_name(name));
}
void Network::backward() {
  plan_->backward();
}
const Tensor& Network::input_gradient(std::string_view name) const {
  return plan_->input_gradient(input_key(name));
}

void Network::set_profiling(bool on) {
  plan_->set_profiling(on);
}
void Network::redirect_relu_gradients(const std::vector<uint8_t>& per_image) {
  plan_->redirect_relu_gradients(per_image);
}
void Network::reset_profile() {
  plan_->reset_profile();
}
size_t Network::memory_bytes() const {
  return plan_->buffer_bytes();
}
double Network::forward_flops() const {
  return plan_->forward_flops();
}
double Network::backward_flops() const {
  return plan_->backward_flops();
}

std::vector<ProfileRow> Network::profile() const {
  std::vector<ProfileRow> rows;
  for (const exec::ProfileEntry& e : plan_->profile())
    rows.push_back(
        {e.pass, e.op, e.label, e.runs ? 1000.0 * e.seconds / static_cast<double>(e.runs) : 0});
  return rows;
}

}  // namespace neuroscope
