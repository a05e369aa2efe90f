#include "ops/pooling.h"

#include "exec/plan.h"

namespace neuroscope::ops {

Window pooling_window(const graph::Node& node, const Shape& input) {
  if (!node.has_attr("kernel_shape"))
    throw error(node.describe(), ": the kernel_shape attribute is required");
  if (node.attr_int("storage_order", 0) != 0)
    throw error(node.describe(), ": storage_order 1 is not supported");
  return resolve_window(node, input, node.attr_ints("kernel_shape"), true);
}

Window global_window(const graph::Node& node, const Shape& input) {
  if (input.size() < 3)
    throw error(node.describe(), ": input has shape ", to_string(input),
                "; expected [N,C,spatial...]");
  Window w;
  w.kernel.assign(input.begin() + 2, input.end());
  const size_t dims = w.kernel.size();
  w.strides.assign(dims, 1);
  w.dilations.assign(dims, 1);
  w.pad_begin.assign(dims, 0);
  w.pad_end.assign(dims, 0);
  w.pad_end_effective.assign(dims, 0);
  w.output.assign(dims, 1);
  return w;
}

Shape pooled_shape(const Shape& input, const Window& window) {
  Shape out = {input[0], input[1]};
  out.insert(out.end(), window.output.begin(), window.output.end());
  return out;
}

void compile_pooling(exec::OpContext& ctx, dnnl::algorithm algorithm, const Window& window) {
  using namespace dnnl;
  if (ctx.input_shape(0).size() > 5)
    throw error(ctx.describe(), ": at most 3 spatial dimensions are supported");
  memory::dims strides(window.strides.begin(), window.strides.end());
  memory::dims kernel(window.kernel.begin(), window.kernel.end());
  memory::dims pad_l(window.pad_begin.begin(), window.pad_begin.end());
  memory::dims pad_r(window.pad_end_effective.begin(), window.pad_end_effective.end());
  memory::dims dilation;
  for (int64_t d : window.dilations) dilation.push_back(d - 1);

  memory src = ctx.input(0);
  const auto prop = ctx.training() ? prop_kind::forward_training : prop_kind::forward_inference;
  const exec::Desc dst_any = exec::any_desc(ctx.output_shape(0), src.get_desc().data_type());
  auto pd = exec::dnnl_call(ctx.describe(), [&] {
    pooling_v2_forward::desc d(prop, algorithm, src.get_desc(), dst_any, strides, kernel, dilation,
                               pad_l, pad_r);
    return pooling_v2_forward::primitive_desc(d, ctx.engine());
  });
  memory dst = ctx.output(0, pd.dst_desc());
  std::unordered_map<int, memory> args{{DNNL_ARG_SRC, src}, {DNNL_ARG_DST, dst}};
  memory workspace;
  if (algorithm == algorithm::pooling_max && ctx.training()) {
    workspace = ctx.buffer(pd.workspace_desc());
    args[DNNL_ARG_WORKSPACE] = workspace;
  }
  ctx.forward(pooling_v2_forward(pd), args);
  if (!ctx.needs_grad(0)) return;

  auto bwd_pd = exec::dnnl_call(ctx.describe(), [&] {
    pooling_v2_backward::desc d(algorithm, src.get_desc(), dst.get_desc(), strides, kernel,
                                dilation, pad_l, pad_r);
    return pooling_v2_backward::primitive_desc(d, ctx.engine(), pd);
  });
  std::unordered_map<int, memory> bwd_args{
      {DNNL_ARG_DIFF_DST, ctx.diff_output(0, bwd_pd.diff_dst_desc())},
      {DNNL_ARG_DIFF_SRC, ctx.diff_input(0, bwd_pd.diff_src_desc())}};
  if (workspace) bwd_args[DNNL_ARG_WORKSPACE] = workspace;
  ctx.backward(pooling_v2_backward(bwd_pd), bwd_args);
}

}  // namespace neuroscope::ops
