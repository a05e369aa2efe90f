// Conv: 1-D/2-D/3-D convolution with groups (depthwise included), strides, dilations, pads and
// auto_pad. Forward and backward-to-input are oneDNN convolutions; layouts are oneDNN's choice.
// A fused activation (graph/fuse_activations.cpp) runs as a post-op and is undone in backward
// from the fused output.
#include <algorithm>

#include "exec/plan.h"
#include "ops/eltwise.h"
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

// With a few input channels (an image's 1 or 3), oneDNN's backward-data kernels pad the input
// channels to a block of 16 and do 5x the work. There the gradient is a matrix product and a
// col2im instead: cols[n, (c,kh,kw), p] = sum_o W[o, (c,kh,kw)] dY[n, o, p], then each input
// row gathers, tap by tap, the column rows of the output positions whose windows cover it.
constexpr int64_t kFewInputChannels = 4;

void compile_input_gradient_by_matmul(exec::OpContext& ctx, const Window& window, memory diff_dst) {
  const Shape& x = ctx.input_shape(0);
  const Shape& y = ctx.output_shape(0);
  const int64_t n = x[0], channels = x[1], height = x[2], width = x[3];
  const int64_t outputs = y[1], out_h = y[2], out_w = y[3], positions = out_h * out_w;
  const int64_t kh = window.kernel[0], kw = window.kernel[1], taps = channels * kh * kw;

  memory dy = ctx.buffer(exec::plain_desc(y));  // [n, outputs, positions]
  ctx.backward(exec::dnnl_call(ctx.describe(), [&] { return dnnl::reorder(diff_dst, dy); }),
               {{DNNL_ARG_FROM, diff_dst}, {DNNL_ARG_TO, dy}});
  memory dy_view(exec::plain_desc({n, outputs, positions}), ctx.engine(), dy.get_data_handle());
  memory cols = ctx.buffer(exec::plain_desc({n, taps, positions}));
  // W^T [taps, outputs]: the row-major weights [outputs, taps] read through transposed strides.
  const exec::Desc w_t({1, taps, outputs}, memory::data_type::f32, memory::dims{taps * outputs, 1, taps});
  auto pd = exec::dnnl_call(ctx.describe(), [&] {
    dnnl::matmul::desc d(exec::plain_desc({1, taps, outputs}), dy_view.get_desc(), cols.get_desc());
    return dnnl::matmul::primitive_desc(d, ctx.engine());
  });
  memory w = ctx.constant_memory(1, pd.src_desc(), w_t);
  ctx.backward(dnnl::matmul(pd), {{DNNL_ARG_SRC, w}, {DNNL_ARG_WEIGHTS, dy_view}, {DNNL_ARG_DST, cols}});

  // Input row iy is read by kernel row ky at output row oy when iy = oy*sy - pad + ky*dil:
  // listed once here, so the loop below has no divisions or tests.
  struct RowTap {
    int64_t kernel_row, output_row;
  };
  std::vector<std::vector<RowTap>> rows(static_cast<size_t>(height));
  for (int64_t oy = 0; oy < out_h; ++oy)
    for (int64_t ky = 0; ky < kh; ++ky) {
      const int64_t iy = oy * window.strides[0] - window.pad_begin[0] + ky * window.dilations[0];
      if (iy >= 0 && iy < height) rows[static_cast<size_t>(iy)].push_back({ky, oy});
    }
  // Along a row, kernel column kx maps output column ox to ix = ox*sx - pad + kx*dil.
  const int64_t sx = window.strides[1], pad_x = window.pad_begin[1], dil_x = window.dilations[1];
  memory dx_mem = ctx.diff_input_plain(0);
  float* dx = exec::data_of(dx_mem);
  const float* col = exec::data_of(cols);
  ctx.backward([=] {
#pragma omp parallel for collapse(3) schedule(static)
    for (int64_t b = 0; b < n; ++b)
      for (int64_t c = 0; c < channels; ++c)
        for (int64_t iy = 0; iy < height; ++iy) {
          float* out = dx + ((b * channels + c) * height + iy) * width;
          std::fill(out, out + width, 0.0f);
          for (const RowTap& r : rows[static_cast<size_t>(iy)])
            for (int64_t kx = 0; kx < kw; ++kx) {
              const float* src = col + ((b * taps) + (c * kh + r.kernel_row) * kw + kx) * positions +
                                 r.output_row * out_w;
              // The first output column whose input column is inside the row, and the last.
              int64_t ox = 0;
              while (ox < out_w && ox * sx - pad_x + kx * dil_x < 0) ++ox;
              for (int64_t ix = ox * sx - pad_x + kx * dil_x; ox < out_w && ix < width; ++ox, ix += sx)
                out[ix] += src[ox];
            }
        }
  });
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
  // bf16 plans: convolutions take and give bf16 values and gradients (the ops after them work
  // in whatever type arrives); the image and the gradient handed back to it stay f32.
  const auto type = ctx.conv_type();
  const auto f32 = memory::data_type::f32;
  const auto prop = ctx.training() ? prop_kind::forward_training : prop_kind::forward_inference;
  auto pd = exec::dnnl_call(ctx.describe(), [&] {
    convolution_forward::desc d(prop, algorithm::convolution_direct, exec::any_desc(x, type),
                                exec::any_desc(w_shape, type), bias_desc, exec::any_desc(y, type), strides,
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
    memory diff_pre = ctx.buffer(dst.get_desc());
    relu_backward(ctx, dst, diff_dst, diff_pre);
    diff_dst = diff_pre;
  }
  if (x.size() == 4 && g.group == 1 && x[1] <= kFewInputChannels && type == f32) {
    compile_input_gradient_by_matmul(ctx, g.window, diff_dst);
    return;
  }
  auto bwd_pd = exec::dnnl_call(ctx.describe(), [&] {
    convolution_backward_data::desc d(algorithm::convolution_direct, exec::any_desc(x, type),
                                      exec::any_desc(w_shape, type), diff_dst.get_desc(), strides,
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
