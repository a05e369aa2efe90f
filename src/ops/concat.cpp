// Concat: joins tensors along an axis. With batch 1 along channels the executor usually has the
// inputs' producers write straight into the output (in-place, nothing to do here). Otherwise
// the forward is oneDNN's concat in the inputs' layouts, and the backward hands each input its
// slice of the gradient (a reorder from a sub-memory view).
#include "exec/plan.h"
#include "ops/op.h"
#include "ops/view.h"

namespace neuroscope::ops {
namespace {

using dnnl::memory;
using exec::Desc;

int64_t concat_axis(const graph::Node& node, const Shape& first) {
  return normalize_axis(node, node.attr_int("axis", 1), static_cast<int64_t>(first.size()));
}

std::vector<Shape> infer(const ShapeContext& ctx) {
  const Shape& first = ctx.input_shape(0);
  const int64_t axis = concat_axis(ctx.node(), first);
  Shape out = first;
  out[static_cast<size_t>(axis)] = 0;
  for (size_t i = 0; i < ctx.num_inputs(); ++i) {
    const Shape& s = ctx.input_shape(i);
    bool compatible = s.size() == first.size();
    for (size_t k = 0; compatible && k < s.size(); ++k)
      compatible = static_cast<int64_t>(k) == axis || s[k] == first[k];
    if (!compatible)
      throw error(ctx.node().describe(), ": input '", ctx.node().inputs[i], "' has shape ",
                  to_string(s), ", which does not match ", to_string(first), " outside axis ",
                  axis);
    out[static_cast<size_t>(axis)] += s[static_cast<size_t>(axis)];
  }
  return {out};
}

memory input_memory(exec::OpContext& ctx, size_t i) {
  return ctx.constant(i) ? ctx.constant_memory(i, exec::plain_desc(ctx.input_shape(i)))
                         : ctx.input(i);
}

// The executor placed (some of) the inputs inside the output buffer: copy only the others.
void compile_in_place(exec::OpContext& ctx, const Desc& layout) {
  ctx.output(0, layout);
  for (size_t i = 0; i < ctx.num_inputs(); ++i) {
    if (ctx.input_in_place(i)) continue;
    memory region = ctx.output_region(i);
    memory src = ctx.input(i, region.get_desc());
    auto copy = exec::dnnl_call(ctx.describe(), [&] { return dnnl::reorder(src, region); });
    ctx.forward(copy, {{DNNL_ARG_FROM, src}, {DNNL_ARG_TO, region}});
  }
  for (size_t i = 0; i < ctx.num_inputs(); ++i) {
    if (!ctx.needs_grad(i) || ctx.input_in_place(i)) continue;
    memory region = ctx.diff_output_region(i);
    memory target = ctx.diff_input(i, region.get_desc());
    auto copy = exec::dnnl_call(ctx.describe(), [&] { return dnnl::reorder(region, target); });
    ctx.backward(copy, {{DNNL_ARG_FROM, region}, {DNNL_ARG_TO, target}});
  }
}

void compile(exec::OpContext& ctx) {
  using namespace dnnl;
  if (const Desc planned = ctx.planned_output_desc(0); planned.data.ndims != 0)
    return compile_in_place(ctx, planned);
  const Shape& out_shape = ctx.output_shape(0);
  const int64_t axis = concat_axis(ctx.node(), out_shape);
  std::vector<memory> srcs;
  std::vector<Desc> descs;
  for (size_t i = 0; i < ctx.num_inputs(); ++i) {
    srcs.push_back(input_memory(ctx, i));
    descs.push_back(srcs.back().get_desc());
  }
  auto pd = exec::dnnl_call(ctx.describe(), [&] {
    return concat::primitive_desc(exec::any_desc(out_shape, descs.front().data_type()),
                                  static_cast<int>(axis), descs,
                                  ctx.engine());
  });
  memory dst = ctx.output(0, pd.dst_desc());
  std::unordered_map<int, memory> args{{DNNL_ARG_DST, dst}};
  for (size_t i = 0; i < srcs.size(); ++i)
    args[DNNL_ARG_MULTIPLE_SRC + static_cast<int>(i)] = srcs[i];
  ctx.forward(concat(pd), args);

  if (!ctx.training()) return;
  // Each input's gradient is a slice of the output's: a view when the layout allows one.
  std::vector<Shape> parts;
  for (size_t i = 0; i < ctx.num_inputs(); ++i) parts.push_back(ctx.input_shape(i));
  memory diff_dst = ctx.diff_output(0);
  std::vector<Desc> slices = axis_slices(diff_dst.get_desc(), parts, static_cast<size_t>(axis));
  if (slices.empty()) {
    diff_dst = ctx.diff_output(0, exec::plain_desc(out_shape));
    slices = axis_slices(diff_dst.get_desc(), parts, static_cast<size_t>(axis));
  }
  for (size_t i = 0; i < ctx.num_inputs(); ++i) {
    if (!ctx.needs_grad(i)) continue;
    memory slice(slices[i], ctx.engine(), diff_dst.get_data_handle());
    memory target = ctx.diff_input(i, ctx.input_desc(i));
    auto r = exec::dnnl_call(ctx.describe(), [&] { return reorder(slice, target); });
    ctx.backward(r, {{DNNL_ARG_FROM, slice}, {DNNL_ARG_TO, target}});
  }
}

}  // namespace
extern const OpSpec kConcatOp{"Concat", infer, compile};
}  // namespace neuroscope::ops
