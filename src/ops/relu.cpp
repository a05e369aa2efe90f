// Relu: y = max(x, 0). The backward reads the output (and can redirect, see relu_backward).
#include "exec/plan.h"
#include "ops/eltwise.h"

namespace neuroscope::ops {
namespace {
void compile(exec::OpContext& ctx) {
  using namespace dnnl;
  memory x = ctx.input(0);
  auto pd = exec::dnnl_call(ctx.describe(), [&] {
    eltwise_forward::desc d(
        ctx.training() ? prop_kind::forward_training : prop_kind::forward_inference,
        algorithm::eltwise_relu_use_dst_for_bwd, x.get_desc(), 0.0f, 0.0f);
    return eltwise_forward::primitive_desc(d, ctx.engine());
  });
  memory y = ctx.output(0, pd.dst_desc());
  ctx.forward(eltwise_forward(pd), {{DNNL_ARG_SRC, x}, {DNNL_ARG_DST, y}});
  if (!ctx.needs_grad(0)) return;
  relu_backward(ctx, y, ctx.diff_output(0, y.get_desc()), ctx.diff_input(0, y.get_desc()));
}
}  // namespace
extern const OpSpec kReluOp{"Relu", infer_same_shape, compile};
}  // namespace neuroscope::ops
