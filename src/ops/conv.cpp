// Conv: 1-D/2-D/3-D convolution with groups (depthwise included), strides, dilations, pads and
// auto_pad. Forward and backward-to-input are oneDNN convolutions; layouts are oneDNN's choice.
// A fused activation (graph/fuse_activations.cpp) runs as a post-op and is undone in backward
// from the fused output.
#include "exec/plan.h"
#include "ops/op.h"
#include "ops/window.h"

namespace neuroscope::ops {
namespace {

using namespace dnnl;
using exec::Desc;

struct ConvGeometry {
  int64_t group = 1;
  Window window;
  Shape weights_as;  // grouped weights as oneDNN wants them: [G, OC/G, IC/G, k...]
};

ConvGeometry conv_geometry(const graph::Node& node, const Shape& x, const Shape& w) {
  if (x.size() < 3 || x.size() > 5)
    throw error(node.describe(), ": input has shape ", to_string(x), "; expected [N,C,spatial...]",
                " with 1 to 3 spatial dimensions");
  if (w.size() != x.size())
    throw error(node.describe(), ": weights have shape ", to_string(w), ", input has shape ",
                to_string(x), "; their ranks must match");
  ConvGeometry g;
  g.group = node.attr_int("group", 1);
  if (g.group <= 0 || w[0] % g.group != 0)
    throw error(node.describe(), ": group ", g.group, " does not divide the ", w[0],
                " output channels");
  if (x[1] != w[1] * g.group)
    throw error(node.describe(), ": weights ", to_string(w), " with group ", g.group, " expect ",
                w[1] * g.group, " input channels, but the input ", to_string(x), " has ", x[1]);
  std::vector<int64_t> kernel(w.begin() + 2, w.end());
  if (node.has_attr("kernel_shape") && node.attr_ints("kernel_shape") != kernel)
    throw error(node.describe(), ": kernel_shape does not match weights ", to_string(w));
  g.window = resolve_window(node, x, kernel, false);
  if (g.group > 1) {
    g.weights_as = {g.group, w[0] / g.group};
    g.weights_as.insert(g.weights_as.end(), w.begin() + 1, w.end());
  }
  return g;
}

std::vector<Shape> infer(const ShapeContext& ctx) {
  const Shape& x = ctx.input_shape(0);
  const Shape& w = ctx.input_shape(1);
  const ConvGeometry g = conv_geometry(ctx.node(), x, w);
  if (ctx.has_input(2) && ctx.input_shape(2) != Shape{w[0]})
    throw error(ctx.node().describe(), ": bias has shape ", to_string(ctx.input_shape(2)),
                "; expected [", w[0], "]");
  Shape y = {x[0], w[0]};
  y.insert(y.end(), g.window.output.begin(), g.window.output.end());
  return {y};
}

void compile(exec::OpContext& ctx) {
  const graph::Node& node = ctx.node();
  const Shape& x = ctx.input_shape(0);
  const Shape& y = ctx.output_shape(0);
  const graph::Constant& weights = ctx.require_constant(1, "weights");
  const ConvGeometry g = conv_geometry(node, x, weights.shape);
  const Shape w_shape = g.group > 1 ? g.weights_as : weights.shape;
  const bool has_bias = ctx.has_input(2);
  if (has_bias) ctx.require_constant(2, "bias");
  const std::string activation = node.attr_string("_activation", "");

  memory::dims strides(g.window.strides.begin(), g.window.strides.end());
  memory::dims dilates, pad_l(g.window.pad_begin.begin(), g.window.pad_begin.end()),
      pad_r(g.window.pad_end_effective.begin(), g.window.pad_end_effective.end());
  for (int64_t d : g.window.dilations) dilates.push_back(d - 1);

  primitive_attr attr;
  if (activation == "Relu") {
    post_ops ops;
    ops.append_eltwise(1.0f, algorithm::eltwise_relu, 0.0f, 0.0f);
    attr.set_post_ops(ops);
  } else if (!activation.empty()) {
    throw InternalError(ctx.describe() + ": unknown fused activation " + activation);
  }
  const Desc bias_desc = has_bias ? exec::plain_desc({weights.shape[0]}) : Desc();
  const auto prop = ctx.training() ? prop_kind::forward_training : prop_kind::forward_inference;
  auto pd = exec::dnnl_call(ctx.describe(), [&] {
    convolution_forward::desc d(prop, algorithm::convolution_direct, exec::any_desc(x),
                                exec::any_desc(w_shape), bias_desc, exec::any_desc(y), strides,
                                dilates, pad_l, pad_r);
    return convolution_forward::primitive_desc(d, attr, ctx.engine());
  });
  memory src = ctx.input(0, pd.src_desc());
  memory w = ctx.constant_memory(1, pd.weights_desc(), exec::plain_desc(w_shape));
  memory dst = ctx.output(0, pd.dst_desc());
  std::unordered_map<int, memory> args{{DNNL_ARG_SRC, src}, {DNNL_ARG_WEIGHTS, w}, {DNNL_ARG_DST, dst}};
  if (has_bias) args[DNNL_ARG_BIAS] = ctx.constant_memory(2, bias_desc);
  ctx.forward(convolution_forward(pd), args);

  if (!ctx.needs_grad(0)) return;
  memory diff_dst = ctx.diff_output(0);
  if (activation == "Relu") {
    // ReLU's derivative is 1 where its output is positive: read it off the fused output.
    auto relu_pd = exec::dnnl_call(ctx.describe(), [&] {
      eltwise_forward::desc fd(prop_kind::forward_training, algorithm::eltwise_relu_use_dst_for_bwd,
                               dst.get_desc(), 0.0f, 0.0f);
      eltwise_forward::primitive_desc hint(fd, ctx.engine());
      eltwise_backward::desc bd(algorithm::eltwise_relu_use_dst_for_bwd, dst.get_desc(),
                                dst.get_desc(), 0.0f, 0.0f);
      return eltwise_backward::primitive_desc(bd, ctx.engine(), hint);
    });
    memory diff_pre = ctx.buffer(dst.get_desc());
    ctx.backward(eltwise_backward(relu_pd),
                 {{DNNL_ARG_DIFF_DST, diff_dst}, {DNNL_ARG_DST, dst}, {DNNL_ARG_DIFF_SRC, diff_pre}});
    diff_dst = diff_pre;
  }
  auto bwd_pd = exec::dnnl_call(ctx.describe(), [&] {
    convolution_backward_data::desc d(algorithm::convolution_direct, exec::any_desc(x),
                                      exec::any_desc(w_shape), diff_dst.get_desc(), strides,
                                      dilates, pad_l, pad_r);
    return convolution_backward_data::primitive_desc(d, ctx.engine(), pd);
  });
  memory w_bwd = bwd_pd.weights_desc() == pd.weights_desc()
                     ? w
                     : ctx.constant_memory(1, bwd_pd.weights_desc(), exec::plain_desc(w_shape));
  memory diff_src = ctx.diff_input(0, bwd_pd.diff_src_desc());
  ctx.backward(convolution_backward_data(bwd_pd), {{DNNL_ARG_DIFF_DST, diff_dst},
                                                   {DNNL_ARG_WEIGHTS, w_bwd},
                                                   {DNNL_ARG_DIFF_SRC, diff_src}});
}

}  // namespace

extern const OpSpec kConvOp{"Conv", infer, compile};

}  // namespace neuroscope::ops
