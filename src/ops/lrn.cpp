// LRN: local response normalization across channels,
// y = x / (bias + alpha / size * sum of x^2 over `size` neighbouring channels)^beta.
// Odd sizes: on the 16- or 8-channel blocked layout with beta 0.75, our AVX-512 or AVX2 loops
// (lrn_blocked.cpp), else oneDNN's LRN, which has centred windows only; ONNX's window for an even
// size reaches one channel further up than down, which runs plain-layout loops instead.
#include <algorithm>
#include <cmath>

#include "exec/plan.h"
#include "ops/eltwise.h"
#include "ops/lrn_blocked.h"

namespace neuroscope::ops {
namespace {

std::vector<Shape> infer(const ShapeContext& ctx) {
  ctx.expect_rank(0, 3, 5);
  const int64_t size = ctx.node().attr_int("size", 0);
  if (size <= 0) throw error(ctx.node().describe(), ": the size attribute must be positive");
  return {ctx.input_shape(0)};
}

struct LrnParams {
  int64_t size = 0;
  float alpha = 1e-4f, beta = 0.75f, bias = 1.0f;
};

LrnParams lrn_params(const graph::Node& node) {
  return {node.attr_int("size", 0), node.attr_float("alpha", 1e-4f), node.attr_float("beta", 0.75f),
          node.attr_float("bias", 1.0f)};
}

// Channel c sums channels [c - below, c + above] (clipped), as ONNX defines the window.
struct LrnLoops {
  LrnParams p;
  int64_t batch = 1, channels = 1, spatial = 1, below = 0, above = 0;

  int64_t lo(int64_t c) const { return std::max<int64_t>(0, c - below); }
  int64_t hi(int64_t c) const { return std::min(channels - 1, c + above); }

  // scale = bias + alpha / size * (sum of squares over the window); y = x * scale^-beta.
  void forward(const float* x, float* scale, float* y) const {
    const float k = p.alpha / static_cast<float>(p.size);
    for (int64_t n = 0; n < batch; ++n)
      for (int64_t c = 0; c < channels; ++c) {
        float* s = scale + (n * channels + c) * spatial;
        std::fill_n(s, spatial, 0.0f);
        for (int64_t j = lo(c); j <= hi(c); ++j) {
          const float* xj = x + (n * channels + j) * spatial;
          for (int64_t i = 0; i < spatial; ++i) s[i] += xj[i] * xj[i];
        }
        const float* xc = x + (n * channels + c) * spatial;
        float* yc = y + (n * channels + c) * spatial;
        for (int64_t i = 0; i < spatial; ++i) {
          s[i] = p.bias + k * s[i];
          yc[i] = xc[i] * std::pow(s[i], -p.beta);
        }
      }
  }

  // dx_j = dy_j scale_j^-beta - 2 beta alpha/size x_j sum_{c: j in window(c)} dy_c y_c / scale_c
  // (using y_c / scale_c = x_c scale_c^(-beta-1)); `t` holds dy_c y_c / scale_c.
  void backward(const float* x, const float* scale, const float* y, const float* dy, float* t,
                float* dx) const {
    const float k = 2.0f * p.beta * p.alpha / static_cast<float>(p.size);
    const int64_t count = batch * channels * spatial;
    for (int64_t i = 0; i < count; ++i) t[i] = dy[i] * y[i] / scale[i];
    for (int64_t n = 0; n < batch; ++n)
      for (int64_t j = 0; j < channels; ++j) {
        const int64_t base = (n * channels + j) * spatial;
        for (int64_t i = 0; i < spatial; ++i)
          dx[base + i] = dy[base + i] * std::pow(scale[base + i], -p.beta);
        // Channels whose window holds j: c - below <= j <= c + above.
        for (int64_t c = std::max<int64_t>(0, j - above); c <= std::min(channels - 1, j + below);
             ++c) {
          const float* tc = t + (n * channels + c) * spatial;
          for (int64_t i = 0; i < spatial; ++i) dx[base + i] -= k * x[base + i] * tc[i];
        }
      }
  }
};

void compile_asymmetric(exec::OpContext& ctx, const LrnParams& p) {
  const Shape& shape = ctx.input_shape(0);
  LrnLoops loops{p,
                 shape[0],
                 shape[1],
                 element_count(shape) / (shape[0] * shape[1]),
                 (p.size - 1) / 2,
                 p.size - 1 - (p.size - 1) / 2};
  const exec::Desc plain = exec::plain_desc(shape);
  const float* x = exec::data_of(ctx.input_plain(0));
  float* y = exec::data_of(ctx.output_plain(0));
  // The steps hold the buffers' handles: the plan keeps no other reference to them.
  const dnnl::memory scale = ctx.buffer(plain);
  ctx.forward([loops, x, scale, y] { loops.forward(x, exec::data_of(scale), y); });
  if (!ctx.needs_grad(0)) return;
  const float* dy = exec::data_of(ctx.diff_output_plain(0));
  float* dx = exec::data_of(ctx.diff_input_plain(0));
  const dnnl::memory t = ctx.buffer(plain);
  ctx.backward([loops, x, scale, y, dy, t, dx] {
    loops.backward(x, exec::data_of(scale), y, dy, exec::data_of(t), dx);
  });
}

void compile(exec::OpContext& ctx) {
  using namespace dnnl;
  const LrnParams p = lrn_params(ctx.node());
  if (p.size % 2 == 0) return compile_asymmetric(ctx, p);
  if (compile_blocked_lrn(ctx, p.size, p.alpha, p.beta, p.bias)) return;
  const auto size = static_cast<memory::dim>(p.size);
  const float alpha = p.alpha, beta = p.beta, bias = p.bias;
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
