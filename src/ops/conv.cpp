// Conv: 1-D/2-D/3-D convolution with groups (depthwise included), strides, dilations, pads and
// auto_pad. Forward and backward-to-input are oneDNN convolutions; layouts are oneDNN's choice.
// A fused activation (graph/fuse_activations.cpp) runs as a post-op and is undone in backward
// from the fused output.
#include <algorithm>
#include <memory>
#include <optional>
#include <string>

#include "exec/plan.h"
#include "ops/conv_few_channels.h"
#include "ops/conv_winograd.h"
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
// Undilated, it is a correlation per stride phase (below); on AVX2 CPUs, an AVX2 kernel of ours
// (conv_few_channels.cpp).
constexpr int64_t kFewInputChannels = 4;

// oneDNN's Winograd F(4x4, 3x3) convolutions (Precision::kFloat32Winograd) do 4x fewer
// multiplications than direct ones for 3x3, stride-1 kernels; they win once there are enough
// 4x4 output tiles to spread over the cores (measured on GoogLeNet's shapes: 2x at 1x56x56 and
// 8x28x28, 1.2x at 8x14x14, slower at 1x28x28 and below). Below this many output positions per
// channel, or with fewer channels (16 in and out: 2x slower), direct it is.
constexpr int64_t kWinogradMinPositions = 1536;
constexpr int64_t kWinogradMinChannels = 32;

bool winograd_suits(const ConvGeometry& g, const Shape& y, const Shape& w, memory::data_type type) {
  if (type != memory::data_type::f32 || g.group != 1 || y.size() != 4) return false;
  if (w[2] != 3 || w[3] != 3 || w[0] < kWinogradMinChannels || w[1] < kWinogradMinChannels)
    return false;
  for (size_t d = 0; d < 2; ++d)
    if (g.window.strides[d] != 1 || g.window.dilations[d] != 1) return false;
  return y[0] * y[2] * y[3] >= kWinogradMinPositions;
}

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
  const exec::Desc w_t({1, taps, outputs}, memory::data_type::f32,
                       memory::dims{taps * outputs, 1, taps});
  auto pd = exec::dnnl_call(ctx.describe(), [&] {
    dnnl::matmul::desc d(exec::plain_desc({1, taps, outputs}), dy_view.get_desc(), cols.get_desc());
    return dnnl::matmul::primitive_desc(d, ctx.engine());
  });
  memory w = ctx.constant_memory(1, pd.src_desc(), w_t);
  ctx.backward(dnnl::matmul(pd),
               {{DNNL_ARG_SRC, w}, {DNNL_ARG_WEIGHTS, dy_view}, {DNNL_ARG_DST, cols}});

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
              const float* src = col +
                                 ((b * taps) + (c * kh + r.kernel_row) * kw + kx) * positions +
                                 r.output_row * out_w;
              // The first output column whose input column is inside the row, and the last.
              int64_t ox = 0;
              while (ox < out_w && ox * sx - pad_x + kx * dil_x < 0) ++ox;
              for (int64_t ix = ox * sx - pad_x + kx * dil_x; ox < out_w && ix < width;
                   ++ox, ix += sx)
                out[ix] += src[ox];
            }
        }
  });
}

// The same gradient for undilated kernels, as one forward convolution (a better fit for
// oneDNN than the matrix product and col2im above: no column buffer, and the gradient is read in
// the layout it arrives in). Input row iy = sy*m + r (phase r) receives W[o, c, ky] dY[o, oy]
// exactly where ky = r + pad - sy*(oy - m): so for every phase the rows m are a stride-1
// correlation of dY with a small kernel taken from W, one output channel per (c, ry, rx). The
// phases' results are then interleaved into the input's rows and columns.
struct PhaseAxis {
  int64_t stride = 1, pad = 0, kernel = 1;
  int64_t first = 0, taps = 0;  // kernel offsets j = oy - m in [first, first + taps)
  int64_t rows = 0;             // rows m per phase: ceil(input / stride)
  int64_t pad_end = 0;          // the correlation's end padding to give `rows` outputs

  PhaseAxis(int64_t input, int64_t output, int64_t stride_, int64_t pad_, int64_t kernel_)
      : stride(stride_), pad(pad_), kernel(kernel_) {
    auto floor_div = [](int64_t a, int64_t b) { return a >= 0 ? a / b : -((-a + b - 1) / b); };
    first = -floor_div(kernel - 1 - pad, stride);  // ceil((pad - kernel + 1) / stride)
    taps = floor_div(stride - 1 + pad, stride) - first + 1;
    rows = (input + stride - 1) / stride;
    pad_end = rows - output + first + taps - 1;
  }
  bool fits() const { return first <= 0 && pad_end >= 0; }
  // The kernel tap of W that offset index jj of phase r reads, or -1.
  int64_t tap(int64_t r, int64_t jj) const {
    const int64_t k = r + pad - stride * (jj + first);
    return k >= 0 && k < kernel ? k : -1;
  }
};

// The phases' correlation, or nothing where the geometry does not fit it (dilation, pads as
// large as the kernel) or oneDNN has only its slow reference kernel for it.
std::optional<convolution_forward::primitive_desc> phase_correlation(exec::OpContext& ctx,
                                                                     const Window& window,
                                                                     const Desc& diff_dst) {
  const Shape& x = ctx.input_shape(0);
  const Shape& y = ctx.output_shape(0);
  if (window.dilations[0] != 1 || window.dilations[1] != 1) return std::nullopt;
  const PhaseAxis py(x[2], y[2], window.strides[0], window.pad_begin[0], window.kernel[0]);
  const PhaseAxis px(x[3], y[3], window.strides[1], window.pad_begin[1], window.kernel[1]);
  if (!py.fits() || !px.fits()) return std::nullopt;
  const int64_t planes = x[1] * py.stride * px.stride;
  try {
    convolution_forward::desc d(prop_kind::forward_inference, algorithm::convolution_direct,
                                diff_dst, exec::any_desc({planes, y[1], py.taps, px.taps}), Desc(),
                                exec::any_desc({x[0], planes, py.rows, px.rows}), {1, 1},
                                {-py.first, -px.first}, {py.pad_end, px.pad_end});
    convolution_forward::primitive_desc pd(d, ctx.engine());
    if (std::string(pd.impl_info_str()).rfind("ref", 0) == 0) return std::nullopt;
    return pd;
  } catch (const dnnl::error&) {
    return std::nullopt;
  }
}

void compile_input_gradient_by_phases(exec::OpContext& ctx, const Window& window,
                                      const graph::Constant& weights, memory diff_dst,
                                      const convolution_forward::primitive_desc& pd) {
  const Shape& x = ctx.input_shape(0);
  const Shape& y = ctx.output_shape(0);
  const int64_t n = x[0], channels = x[1], height = x[2], width = x[3], outputs = y[1];
  const PhaseAxis py(height, y[2], window.strides[0], window.pad_begin[0], window.kernel[0]);
  const PhaseAxis px(width, y[3], window.strides[1], window.pad_begin[1], window.kernel[1]);
  const int64_t phases = py.stride * px.stride, planes = channels * phases;
  const Shape k_shape = {planes, outputs, py.taps, px.taps};
  const Shape out_shape = {n, planes, py.rows, px.rows};

  // Kernel [(c, ry, rx), o, jy, jx] from W [o, c, ky, kx]; taps no phase reaches stay zero.
  const std::vector<float> values = weights.as_floats();
  std::vector<float> kernel(static_cast<size_t>(planes * outputs * py.taps * px.taps), 0.0f);
  for (int64_t c = 0; c < channels; ++c)
    for (int64_t ry = 0; ry < py.stride; ++ry)
      for (int64_t rx = 0; rx < px.stride; ++rx)
        for (int64_t o = 0; o < outputs; ++o)
          for (int64_t jy = 0; jy < py.taps; ++jy)
            for (int64_t jx = 0; jx < px.taps; ++jx) {
              const int64_t ky = py.tap(ry, jy), kx = px.tap(rx, jx);
              if (ky < 0 || kx < 0) continue;
              const int64_t plane = (c * py.stride + ry) * px.stride + rx;
              kernel[static_cast<size_t>(((plane * outputs + o) * py.taps + jy) * px.taps + jx)] =
                  values[static_cast<size_t>(((o * channels + c) * py.kernel + ky) * px.kernel +
                                             kx)];
            }

  memory k = ctx.constant_memory(std::move(kernel), exec::plain_desc(k_shape), pd.weights_desc());
  memory phased = ctx.buffer(pd.dst_desc());
  ctx.backward(convolution_forward(pd),
               {{DNNL_ARG_SRC, diff_dst}, {DNNL_ARG_WEIGHTS, k}, {DNNL_ARG_DST, phased}});
  // The interleave reads the phases in oneDNN's channel-blocked layout where it is one (block
  // b: plane p of image n at ((n * blocks + p / b) * rows + m) * cols * b + mx * b + p % b),
  // otherwise from a plain copy (b = 1).
  int64_t block = exec::channel_block(pd.dst_desc());
  if (block == 0 || pd.dst_desc().data_type() != memory::data_type::f32) {
    memory plain = ctx.buffer(exec::plain_desc(out_shape));
    ctx.backward(exec::dnnl_call(ctx.describe(), [&] { return dnnl::reorder(phased, plain); }),
                 {{DNNL_ARG_FROM, phased}, {DNNL_ARG_TO, plain}});
    phased = plain;
    block = 1;
  }

  // Interleave: dx[b, c, sy*m + ry, sx*mx + rx] = phases[b, (c, ry, rx), m, mx].
  const float* phase_rows = exec::data_of(phased);
  float* dx = exec::data_of(ctx.diff_input_plain(0));
  const int64_t sy = py.stride, sx = px.stride, rows = py.rows, cols = px.rows;
  const int64_t blocks = (planes + block - 1) / block;
  ctx.backward([=] {
#pragma omp parallel for collapse(3) schedule(static)
    for (int64_t b = 0; b < n; ++b)
      for (int64_t c = 0; c < channels; ++c)
        for (int64_t iy = 0; iy < height; ++iy) {
          const int64_t ry = iy % sy, m = iy / sy;
          float* row = dx + ((b * channels + c) * height + iy) * width;
          for (int64_t rx = 0; rx < sx; ++rx) {
            const int64_t plane = (c * sy + ry) * sx + rx;
            const float* from = phase_rows +
                                ((b * blocks + plane / block) * rows + m) * cols * block +
                                plane % block;
            for (int64_t mx = 0, ix = rx; ix < width; ++mx, ix += sx) row[ix] = from[mx * block];
          }
        }
  });
}

// For stride 1 the gradient to the input is itself a forward correlation: of the output
// gradient with the kernel flipped in space and its input and output channels swapped, padded
// (k-1)*dilation - pad on each side. oneDNN's forward kernels are as fast as its backward-data
// ones (10% faster on GoogLeNet's conv2/3x3 at batch 8), and a forward convolution can add its
// result to what its destination holds (a sum post-op): a tensor read by several convolutions
// then gets its gradient without part buffers and a separate sum.
struct TransposedCorrelation {
  convolution_forward::primitive_desc pd;
  Shape kernel_shape;  // [G, IC/G, OC/G, k...] or, ungrouped, [IC, OC, k...]
  bool accumulate = false;
};

std::optional<TransposedCorrelation> transposed_correlation(exec::OpContext& ctx,
                                                            const ConvGeometry& g,
                                                            const Shape& w_shape, algorithm alg,
                                                            const Desc& diff_dst) {
  const Shape& x = ctx.input_shape(0);
  const Window& window = g.window;
  memory::dims pad_l, pad_r, dilates;
  for (size_t d = 0; d < window.kernel.size(); ++d) {
    const int64_t reach = (window.kernel[d] - 1) * window.dilations[d];
    if (window.strides[d] != 1 || window.pad_begin[d] > reach ||
        window.pad_end_effective[d] > reach)
      return std::nullopt;
    pad_l.push_back(reach - window.pad_begin[d]);
    pad_r.push_back(reach - window.pad_end_effective[d]);
    dilates.push_back(window.dilations[d] - 1);
  }
  Shape wt_shape = w_shape;  // input and output channels swapped
  const size_t channel_axis = g.group > 1 ? 1 : 0;
  std::swap(wt_shape[channel_axis], wt_shape[channel_axis + 1]);
  const memory::dims strides(window.kernel.size(), 1);
  auto make = [&](const Desc& dst, bool accumulate) -> std::optional<TransposedCorrelation> {
    primitive_attr attr;
    if (accumulate) {
      post_ops ops;
      ops.append_sum(1.0f);
      attr.set_post_ops(ops);
    }
    try {
      convolution_forward::desc d(prop_kind::forward_inference, alg, diff_dst,
                                  exec::any_desc(wt_shape, ctx.conv_type()), Desc(), dst, strides,
                                  dilates, pad_l, pad_r);
      convolution_forward::primitive_desc pd(d, attr, ctx.engine());
      if (std::string(pd.impl_info_str()).rfind("ref", 0) == 0) return std::nullopt;
      return TransposedCorrelation{pd, wt_shape, accumulate};
    } catch (const dnnl::error&) {
      return std::nullopt;
    }
  };
  // Written straight into the input's gradient where its layout allows, added where another
  // consumer's contribution is already there.
  const Desc wanted = ctx.input_desc(0);
  if (auto direct = make(wanted, ctx.gradient_accumulates(0, wanted))) return direct;
  return make(exec::any_desc(x, ctx.conv_type()), false);
}

// W [G*OCg, ICg, k...] as the transposed correlation's kernel [G, ICg, OCg, k...] (or
// [IC, OC, k...]) with the spatial taps reversed: flipping every axis of a row-major block
// reverses its flat order.
std::vector<float> transposed_kernel(const graph::Constant& weights, int64_t group) {
  const Shape& w = weights.shape;
  const int64_t out_per_group = w[0] / group, in_per_group = w[1];
  const int64_t taps = element_count(w) / (w[0] * w[1]);
  const std::vector<float> values = weights.as_floats();
  std::vector<float> flipped(values.size());
  for (int64_t gi = 0; gi < group; ++gi)
    for (int64_t o = 0; o < out_per_group; ++o)
      for (int64_t c = 0; c < in_per_group; ++c) {
        const float* from = values.data() + ((gi * out_per_group + o) * in_per_group + c) * taps;
        float* to = flipped.data() + ((gi * in_per_group + c) * out_per_group + o) * taps;
        for (int64_t t = 0; t < taps; ++t) to[t] = from[taps - 1 - t];
      }
  return flipped;
}

// Our own Winograd F(2x2, 3x3) (conv_winograd.cpp) for 3x3 "same" convolutions in float32
// plans: 2.25x fewer multiplications than oneDNN's direct kernels. Measured on GoogLeNet with
// AVX-512: 1.8x faster at 56x56 and 28x28, 1.2-1.5x at 14x14, at 7x7 as fast at batch 1 and 1.15x
// at batch 8. Below kOwnWinogradMinTiles 2x2 output tiles per image (7x7 has 16), direct it is:
// per image, not per batch, so that an image gets the same bits alone or in a batch.
constexpr int64_t kOwnWinogradMinTiles = 16;

bool own_winograd_suits(const exec::OpContext& ctx, const ConvGeometry& g, const Shape& x,
                        const Shape& w) {
  const int64_t lanes = WinogradCorrelation::native_lanes();
  // Precision::kFloat32Winograd asks for oneDNN's F(4x4, 3x3) instead.
  if (x.size() != 4 || g.group != 1 || ctx.conv_type() != memory::data_type::f32 ||
      ctx.winograd_allowed())
    return false;
  if (w[2] != 3 || w[3] != 3 || !WinogradCorrelation::supports(w[1], w[0], lanes)) return false;
  for (size_t d = 0; d < 2; ++d)
    if (g.window.strides[d] != 1 || g.window.dilations[d] != 1 || g.window.pad_begin[d] != 1 ||
        g.window.pad_end_effective[d] != 1)
      return false;
  return ((x[2] + 1) / 2) * ((x[3] + 1) / 2) >= kOwnWinogradMinTiles;
}

void compile_own_winograd(exec::OpContext& ctx, const graph::Constant& weights, bool relu) {
  const Shape& x = ctx.input_shape(0);
  const Shape& y = ctx.output_shape(0);
  const int64_t lanes = WinogradCorrelation::native_lanes();
  const auto f32 = memory::data_type::f32;
  const Desc x_desc = exec::channel_blocked_desc(exec::to_dims(x), f32, lanes);
  const Desc y_desc = exec::channel_blocked_desc(exec::to_dims(y), f32, lanes);
  auto forward = std::make_shared<const WinogradCorrelation>(x, y[1], weights.as_floats(), lanes);
  auto bias = std::make_shared<const std::vector<float>>(
      ctx.has_input(2) ? ctx.require_constant(2, "bias").as_floats() : std::vector<float>());
  memory src = ctx.input(0, x_desc);
  memory dst = ctx.output(0, y_desc);
  ctx.forward([=, from = exec::data_of(src), to = exec::data_of(dst)] {
    forward->run(from, to, bias->empty() ? nullptr : bias->data(), relu, false);
  });
  if (!ctx.needs_grad(0)) return;
  memory diff_dst = ctx.diff_output(0);
  if (relu) relu_backward(ctx, dst, diff_dst, diff_dst);
  // The input gradient correlates the output gradient with the kernel turned around (see
  // TransposedCorrelation): outputs in, inputs out.
  auto backward =
      std::make_shared<const WinogradCorrelation>(y, x[1], transposed_kernel(weights, 1), lanes);
  const bool accumulate = ctx.gradient_accumulates(0, x_desc);
  memory diff_src = accumulate ? ctx.diff_input_accumulating(0, x_desc) : ctx.diff_input(0, x_desc);
  ctx.backward([=, from = exec::data_of(diff_dst), to = exec::data_of(diff_src)] {
    backward->run(from, to, nullptr, false, accumulate);
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
  if (!activation.empty() && activation != "Relu")
    throw InternalError(ctx.describe() + ": unknown fused activation " + activation);
  if (own_winograd_suits(ctx, g, x, weights.shape)) {
    compile_own_winograd(ctx, weights, activation == "Relu");
    return;
  }

  memory::dims strides(g.window.strides.begin(), g.window.strides.end());
  memory::dims dilates, pad_l(g.window.pad_begin.begin(), g.window.pad_begin.end()),
      pad_r(g.window.pad_end_effective.begin(), g.window.pad_end_effective.end());
  for (int64_t d : g.window.dilations) dilates.push_back(d - 1);

  primitive_attr attr;
  if (activation == "Relu") {
    post_ops ops;
    ops.append_eltwise(1.0f, algorithm::eltwise_relu, 0.0f, 0.0f);
    attr.set_post_ops(ops);
  }
  const Desc bias_desc = has_bias ? exec::plain_desc({weights.shape[0]}) : Desc();
  // bf16 plans: convolutions take and give bf16 values and gradients (the ops after them work
  // in whatever type arrives); the image and the gradient handed back to it stay f32.
  const auto type = ctx.conv_type();
  const auto f32 = memory::data_type::f32;
  const auto prop = ctx.training() ? prop_kind::forward_training : prop_kind::forward_inference;
  auto make_pd = [&](algorithm alg) {
    convolution_forward::desc d(prop, alg, exec::any_desc(x, type), exec::any_desc(w_shape, type),
                                bias_desc, exec::any_desc(y, type), strides, dilates, pad_l, pad_r);
    return convolution_forward::primitive_desc(d, attr, ctx.engine());
  };
  // Winograd where it pays and oneDNN has it for this shape (it may not: then direct).
  algorithm alg = algorithm::convolution_direct;
  convolution_forward::primitive_desc pd;
  if (ctx.winograd_allowed() && winograd_suits(g, y, weights.shape, type)) {
    try {
      pd = make_pd(algorithm::convolution_winograd);
      alg = algorithm::convolution_winograd;
    } catch (const dnnl::error&) {
    }
  }
  if (!pd) pd = exec::dnnl_call(ctx.describe(), [&] { return make_pd(alg); });
  memory src = ctx.input(0, pd.src_desc());
  memory w = ctx.constant_memory(1, pd.weights_desc(), exec::plain_desc(w_shape));
  memory dst = ctx.output(0, pd.dst_desc());
  std::unordered_map<int, memory> args{
      {DNNL_ARG_SRC, src}, {DNNL_ARG_WEIGHTS, w}, {DNNL_ARG_DST, dst}};
  if (has_bias) args[DNNL_ARG_BIAS] = ctx.constant_memory(2, bias_desc);
  ctx.forward(convolution_forward(pd), args);

  if (!ctx.needs_grad(0)) return;
  memory diff_dst = ctx.diff_output(0);
  if (activation == "Relu") {
    // ReLU's derivative is 1 where its output is positive: read it off the fused output, in
    // place (or in the consumer: see offer_relu_mask).
    relu_backward(ctx, dst, diff_dst, diff_dst);
  }
  if (x.size() == 4 && g.group == 1 && x[1] <= kFewInputChannels && type == f32) {
    if (compile_few_channel_input_gradient(ctx, g.window, weights, diff_dst)) return;
    if (auto phases = phase_correlation(ctx, g.window, diff_dst.get_desc()))
      compile_input_gradient_by_phases(ctx, g.window, weights, diff_dst, *phases);
    else
      compile_input_gradient_by_matmul(ctx, g.window, diff_dst);
    return;
  }
  if (auto t = transposed_correlation(ctx, g, w_shape, alg, diff_dst.get_desc())) {
    memory wt = ctx.constant_memory(transposed_kernel(weights, g.group),
                                    exec::plain_desc(t->kernel_shape), t->pd.weights_desc());
    memory diff_src = t->accumulate ? ctx.diff_input_accumulating(0, t->pd.dst_desc())
                                    : ctx.diff_input(0, t->pd.dst_desc());
    ctx.backward(convolution_forward(t->pd),
                 {{DNNL_ARG_SRC, diff_dst}, {DNNL_ARG_WEIGHTS, wt}, {DNNL_ARG_DST, diff_src}});
    return;
  }
  auto bwd_pd = exec::dnnl_call(ctx.describe(), [&] {
    convolution_backward_data::desc d(alg, exec::any_desc(x, type), exec::any_desc(w_shape, type),
                                      diff_dst.get_desc(), strides, dilates, pad_l, pad_r);
    return convolution_backward_data::primitive_desc(d, ctx.engine(), pd);
  });

  memory w_bwd = bwd_pd.weights_desc() == pd.weights_desc()
                     ? w
                     : ctx.constant_memory(1, bwd_pd.weights_desc(), exec::plain_desc(w_shape));
  memory diff_src = ctx.diff_input(0, bwd_pd.diff_src_desc());
  ctx.backward(
      convolution_backward_data(bwd_pd),
      {{DNNL_ARG_DIFF_DST, diff_dst}, {DNNL_ARG_WEIGHTS, w_bwd}, {DNNL_ARG_DIFF_SRC, diff_src}});
}

}  // namespace

extern const OpSpec kConvOp{"Conv", infer, compile};

}  // namespace neuroscope::ops
