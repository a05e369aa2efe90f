// In-place Concat: with batch 1, a channel slice of a channel-outermost layout (nchw, nChw16c)
// is one contiguous block, so the producers of a Concat's inputs can write straight into the
// Concat's output buffer, and read their gradients straight from its gradient buffer. The
// Concat then costs nothing. The first member to be compiled fixes the layout; a member whose
// producer picks another layout gets its own buffer and the Concat copies just that one.
#include "exec/plan.h"
#include "graph/consumers.h"
#include "neuroscope/error.h"

namespace neuroscope::exec {
namespace {

Desc with_channels(const Desc& desc, int64_t channels, int64_t block) {
  Dims dims = desc.dims();
  dims[1] = channels;
  return channel_blocked_desc(dims, desc.data_type(), block);
}

}  // namespace

void Plan::plan_in_place_concats() {
  const graph::Graph& g = graph_.graph;
  const auto uses = graph::count_consumers(g);
  std::map<std::string, const graph::Node*, std::less<>> producer;
  for (const graph::Node& node : g.nodes)
    for (const std::string& out : node.outputs) producer[out] = &node;
  auto is_tap = [&](const std::string& name) {
    return std::find(options_.taps.begin(), options_.taps.end(), name) != options_.taps.end();
  };
  for (const graph::Node& node : g.nodes) {
    if (node.op_type != "Concat" || node.outputs.size() != 1) continue;
    const Shape& out = graph_.shape_of(node.outputs[0]);
    if (out.size() != 4 || out[0] != 1) continue;
    const int64_t rank = 4;
    const int64_t axis = node.attr_int("axis", 1);
    if (axis != 1 && axis != 1 - rank) continue;
    ConcatGroup group;
    group.output = node.outputs[0];
    bool eligible = true;
    int64_t offset = 0;
    for (const std::string& in : node.inputs) {
      // A constant (the zeros of a skipped branch, see prune_unread_channels) is copied in by
      // the Concat; the other inputs may still be placed.
      if (!in.empty() && g.is_constant(in)) {
        group.members.push_back(in);
        group.offsets.push_back(offset);
        offset += g.constants.at(in).shape[1];
        continue;
      }
      auto p = producer.find(in);
      const bool ok = !in.empty() && p != producer.end() && uses.at(in) == 1 && !is_tap(in) &&
                      !concat_member_of_.count(in) &&
                      std::count(group.members.begin(), group.members.end(), in) == 0 &&
                      values_.at(in).needs_grad == values_.at(group.output).needs_grad;
      if (!ok) {
        eligible = false;
        break;
      }
      group.members.push_back(in);
      group.offsets.push_back(offset);
      offset += graph_.shape_of(in)[1];
    }
    if (!eligible) continue;
    for (const std::string& m : group.members)
      if (!g.is_constant(m)) concat_member_of_[m] = group.output;
    concat_groups_[group.output] = std::move(group);
  }
}

void Plan::place_value(Value& v, const Desc& desc) {
  v.desc = desc;
  // The output of a group whose members are already placed: use the shared buffers.
  if (auto g = concat_groups_.find(v.name); g != concat_groups_.end() && g->second.usable) {
    NS_CHECK(desc == g->second.desc, "Concat '", v.name, "' chose another layout than its inputs");
    v.mem = g->second.mem;
    v.diff = g->second.diff;
    return;
  }
  if (auto m = concat_member_of_.find(v.name); m != concat_member_of_.end()) {
    ConcatGroup& group = concat_groups_.at(m->second);
    const Value& out = values_.at(group.output);
    if (!group.settled) {
      group.settled = true;
      group.block = channel_block(desc);
      group.usable = group.block > 0;
      for (const std::string& member : group.members)
        group.usable = group.usable && member_shape(member)[1] % group.block == 0;
      if (group.usable) {
        group.desc = with_channels(desc, out.shape[1], group.block);
        group.mem = allocate(group.desc);
        if (out.needs_grad) group.diff = allocate(group.desc);
      }
    }
    const size_t index = static_cast<size_t>(
        std::find(group.members.begin(), group.members.end(), v.name) - group.members.begin());
    if (group.usable && desc == concat_region(group, index, group.mem).get_desc()) {
      v.mem = concat_region(group, index, group.mem);
      if (v.needs_grad) v.diff = concat_region(group, index, group.diff);
      v.in_place = true;
      return;
    }
  }
  v.mem = allocate(desc);
  if (v.needs_grad) v.diff = allocate(desc);
}

const Shape& Plan::member_shape(const std::string& name) const {
  const graph::Graph& g = graph_.graph;
  return g.is_constant(name) ? g.constants.at(name).shape : values_.at(name).shape;
}

memory Plan::concat_region(const ConcatGroup& group, size_t member, const memory& whole) const {
  // Batch 1: channels [offset, offset + c) of a channel-outermost layout are one contiguous
  // block starting offset * H * W elements in.
  const Shape& shape = member_shape(group.members[member]);
  const size_t shift = static_cast<size_t>(group.offsets[member] * shape[2] * shape[3]) *
                       element_size(group.desc.data_type());
  return memory(with_channels(group.desc, shape[1], group.block), cpu_engine(),
                static_cast<char*>(whole.get_data_handle()) + shift);
}

Desc OpContext::planned_output_desc(size_t i) const {
  auto g = plan_.concat_groups_.find(value_out(i).name);
  return g != plan_.concat_groups_.end() && g->second.usable ? g->second.desc : Desc();
}

memory OpContext::output_region(size_t i) const {
  const ConcatGroup& group = plan_.concat_groups_.at(value_out(0).name);
  return plan_.concat_region(group, i, group.mem);
}

memory OpContext::diff_output_region(size_t i) const {
  const ConcatGroup& group = plan_.concat_groups_.at(value_out(0).name);
  NS_CHECK(group.diff, describe(), " has no gradient buffer");
  return plan_.concat_region(group, i, group.diff);
}

}  // namespace neuroscope::exec
