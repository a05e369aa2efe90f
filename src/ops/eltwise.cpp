#include "ops/eltwise.h"

#include "exec/plan.h"

namespace neuroscope::ops {

std::vector<Shape> infer_same_shape(const ShapeContext& ctx) { return {ctx.input_shape(0)}; }

void compile_eltwise(exec::OpContext& ctx, const EltwiseAlgorithm& f) {
  using namespace dnnl;
  memory src = ctx.input(0);
  const auto prop = ctx.training() ? prop_kind::forward_training : prop_kind::forward_inference;
  auto pd = exec::dnnl_call(ctx.describe(), [&] {
    eltwise_forward::desc d(prop, f.algorithm, src.get_desc(), f.alpha, f.beta);
    return eltwise_forward::primitive_desc(d, ctx.engine());
  });
  memory dst = ctx.output(0, pd.dst_desc());
  ctx.forward(eltwise_forward(pd), {{DNNL_ARG_SRC, src}, {DNNL_ARG_DST, dst}});
  if (!ctx.needs_grad(0)) return;

  memory data = f.backward_from_output ? dst : src;
  auto bwd_pd = exec::dnnl_call(ctx.describe(), [&] {
    eltwise_backward::desc d(f.algorithm, dst.get_desc(), data.get_desc(), f.alpha, f.beta);
    return eltwise_backward::primitive_desc(d, ctx.engine(), pd);
  });
  memory diff_dst = ctx.diff_output(0, bwd_pd.diff_dst_desc());
  memory diff_src = ctx.diff_input(0, bwd_pd.diff_src_desc());
  ctx.backward(eltwise_backward(bwd_pd),
               {{DNNL_ARG_DIFF_DST, diff_dst},
                {f.backward_from_output ? DNNL_ARG_DST : DNNL_ARG_SRC, data},
                {DNNL_ARG_DIFF_SRC, diff_src}});
}

}  // namespace neuroscope::ops
