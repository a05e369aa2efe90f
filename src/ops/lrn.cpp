// LRN: local response normalization across channels,
// y = x / (bias + alpha / size * sum of x^2 over `size` neighbouring channels)^beta.
#include "exec/plan.h"
#include "ops/eltwise.h"

namespace neuroscope::ops {
namespace {

std::vector<Shape> infer(const ShapeContext& ctx) {
  ctx.expect_rank(0, 3, 5);
  const int64_t size = ctx.node().attr_int("size", 0);
  if (size <= 0) throw error(ctx.node().describe(), ": the size attribute must be positive");
  return {ctx.input_shape(0)};
}

void compile(exec::OpContext& ctx) {
  using namespace dnnl;
  const graph::Node& node = ctx.node();
  const auto size = static_cast<memory::dim>(node.attr_int("size", 0));
  const float alpha = node.attr_float("alpha", 1e-4f), beta = node.attr_float("beta", 0.75f),
              bias = node.attr_float("bias", 1.0f);
  if (size % 2 == 0)
    // ONNX pads an even window asymmetrically; oneDNN only has centred windows.
    throw error(ctx.describe(), ": even size ", size, " is not supported");
  memory src = ctx.input(0);
  const auto prop = ctx.training() ? prop_kind::forward_training : prop_kind::forward_inference;
  auto pd = exec::dnnl_call(ctx.describe(), [&] {
    lrn_forward::desc d(prop, algorithm::lrn_across_channels, src.get_desc(), size, alpha, beta,
                        bias);
    return lrn_forward::primitive_desc(d, ctx.engine());
  });
  memory dst = ctx.output(0, pd.dst_desc());
  std::unordered_map<int, memory> args{{DNNL_ARG_SRC, src}, {DNNL_ARG_DST, dst}};
  memory workspace;
  if (ctx.training() && pd.workspace_desc().get_size() > 0) {
    workspace = ctx.buffer(pd.workspace_desc());
    args[DNNL_ARG_WORKSPACE] = workspace;
  }
  ctx.forward(lrn_forward(pd), args);
  if (!ctx.needs_grad(0)) return;

  auto bwd_pd = exec::dnnl_call(ctx.describe(), [&] {
    lrn_backward::desc d(algorithm::lrn_across_channels, src.get_desc(), dst.get_desc(), size,
                         alpha, beta, bias);
    return lrn_backward::primitive_desc(d, ctx.engine(), pd);
  });
  std::unordered_map<int, memory> bwd_args{
      {DNNL_ARG_SRC, src},
      {DNNL_ARG_DIFF_DST, ctx.diff_output(0, bwd_pd.diff_dst_desc())},
      {DNNL_ARG_DIFF_SRC, ctx.diff_input(0, bwd_pd.diff_src_desc())}};
  if (workspace) bwd_args[DNNL_ARG_WORKSPACE] = workspace;
  ctx.backward(lrn_backward(bwd_pd), bwd_args);
}

}  // namespace
extern const OpSpec kLrnOp{"LRN", infer, compile};
}  // namespace neuroscope::ops
