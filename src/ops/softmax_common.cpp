#include "ops/softmax_common.h"

#include <algorithm>

#include "exec/plan.h"

namespace neuroscope::ops {

SoftmaxExtent softmax_extent(const graph::Node& node, int64_t opset, const Shape& shape) {
  const auto rank = static_cast<int64_t>(shape.size());
  const int64_t axis =
      normalize_axis(node, node.attr_int("axis", opset < 13 ? 1 : -1), std::max<int64_t>(rank, 1));
  SoftmaxExtent e;
  for (int64_t k = 0; k < rank; ++k) {
    const int64_t d = shape[static_cast<size_t>(k)];
    if (k < axis)
      e.outer *= d;
    else if (k == axis || opset < 13)
      e.along *= d;
    else
      e.inner *= d;
  }
  return e;
}

std::vector<Shape> infer_softmax(const ShapeContext& ctx) {
  softmax_extent(ctx.node(), ctx.opset(), ctx.input_shape(0));  // validates the axis
  return {ctx.input_shape(0)};
}

void compile_softmax(exec::OpContext& ctx, dnnl::algorithm algorithm) {
  using namespace dnnl;
  const SoftmaxExtent e = softmax_extent(ctx.node(), ctx.opset(), ctx.input_shape(0));
  const exec::Desc view({e.outer, e.along, e.inner}, memory::data_type::f32,
                        memory::format_tag::abc);
  memory x(view, ctx.engine(), ctx.input_plain(0).get_data_handle());
  memory y(view, ctx.engine(), ctx.output_plain(0).get_data_handle());
  const auto prop = ctx.training() ? prop_kind::forward_training : prop_kind::forward_inference;
  auto pd = exec::dnnl_call(ctx.describe(), [&] {
    softmax_v2_forward::desc d(prop, algorithm, view, view, 1);
    return softmax_v2_forward::primitive_desc(d, ctx.engine());
  });
  ctx.forward(softmax_v2_forward(pd), {{DNNL_ARG_SRC, x}, {DNNL_ARG_DST, y}});
  if (!ctx.needs_grad(0)) return;
  memory dy(view, ctx.engine(), ctx.diff_output_plain(0).get_data_handle());
  memory dx(view, ctx.engine(), ctx.diff_input_plain(0).get_data_handle());
  auto bwd_pd = exec::dnnl_call(ctx.describe(), [&] {
    softmax_v2_backward::desc d(algorithm, view, view, view, 1);
    return softmax_v2_backward::primitive_desc(d, ctx.engine(), pd);
  });
  ctx.backward(softmax_v2_backward(bwd_pd),
               {{DNNL_ARG_DST, y}, {DNNL_ARG_DIFF_DST, dy}, {DNNL_ARG_DIFF_SRC, dx}});
}

}  // namespace neuroscope::ops
