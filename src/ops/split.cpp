// Split: cuts a tensor into consecutive parts along an axis. Forward: one reorder per output
// from a view of its block of the input (in the input's layout when its blocking allows the
// view, plain otherwise). Backward: a oneDNN concat of the outputs' gradients.
#include <algorithm>

#include "exec/plan.h"
#include "ops/shape_rules.h"
#include "ops/view.h"

namespace neuroscope::ops {
namespace {

using dnnl::memory;

std::vector<int64_t> split_sizes(const graph::Node& node, int64_t opset,
                                 const graph::Constant* split_input) {
  if (opset >= 13) return split_input ? split_input->as_ints() : std::vector<int64_t>{};
  return node.attr_ints("split");
}

std::vector<Shape> infer(const ShapeContext& ctx) {
  const graph::Constant* split =
      ctx.opset() >= 13 && ctx.has_input(1) ? &ctx.require_constant(1, "split sizes") : nullptr;
  return split_rule(ctx.node(), ctx.input_shape(0), split_sizes(ctx.node(), ctx.opset(), split));
}

void compile(exec::OpContext& ctx) {
  using namespace dnnl;
  const graph::Node& node = ctx.node();
  const Shape& x_shape = ctx.input_shape(0);
  const auto axis = static_cast<size_t>(split_axis(node, x_shape));
  const graph::Constant* split = ctx.opset() >= 13 ? ctx.constant(1) : nullptr;
  const std::vector<Shape> parts = split_rule(node, x_shape, split_sizes(node, ctx.opset(), split));

  memory x = ctx.input(0);
  std::vector<exec::Desc> slices = axis_slices(x.get_desc(), parts, axis);
  if (slices.empty()) {
    x = ctx.input_plain(0);
    slices = axis_slices(x.get_desc(), parts, axis);
  }
  for (size_t i = 0; i < parts.size(); ++i) {
    if (node.outputs[i].empty()) continue;
    memory slice(slices[i], ctx.engine(), x.get_data_handle());
    memory y = ctx.output_plain(i);
    auto r = exec::dnnl_call(ctx.describe(), [&] { return reorder(slice, y); });
    ctx.forward(r, {{DNNL_ARG_FROM, slice}, {DNNL_ARG_TO, y}});
  }
  if (!ctx.needs_grad(0)) return;

  std::vector<memory> diffs;
  std::vector<exec::Desc> descs;
  for (size_t i = 0; i < parts.size(); ++i) {
    // An omitted output's gradient is zero: a zero buffer of its shape stands in.
    memory d =
        node.outputs[i].empty() ? ctx.buffer(exec::plain_desc(parts[i])) : ctx.diff_output(i);
    if (node.outputs[i].empty()) std::fill_n(exec::data_of(d), element_count(parts[i]), 0.0f);
    diffs.push_back(d);
    descs.push_back(d.get_desc());
  }
  auto pd = exec::dnnl_call(ctx.describe(), [&] {
    return concat::primitive_desc(exec::any_desc(x_shape), static_cast<int>(axis), descs,
                                  ctx.engine());
  });
  memory dx = ctx.diff_input(0, pd.dst_desc());
  std::unordered_map<int, memory> args{{DNNL_ARG_DST, dx}};
  for (size_t i = 0; i < diffs.size(); ++i)
    args[DNNL_ARG_MULTIPLE_SRC + static_cast<int>(i)] = diffs[i];
  ctx.backward(concat(pd), args);
}

}  // namespace
extern const OpSpec kSplitOp{"Split", infer, compile};
}  // namespace neuroscope::ops
