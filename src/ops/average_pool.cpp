// AveragePool: windowed mean; count_include_pad chooses whether padding counts in the divisor.
// oneDNN pooling does the work, except when count_include_pad meets ceil_mode's extra end
// padding: ONNX (like PyTorch) counts only the declared pads, oneDNN would count the extra
// padding too, so that case runs plain-layout loops.
#include <algorithm>
#include <array>

#include "exec/plan.h"
#include "ops/pooling.h"

namespace neuroscope::ops {
namespace {

std::vector<Shape> infer(const ShapeContext& ctx) {
  return {pooled_shape(ctx.input_shape(0), pooling_window(ctx.node(), ctx.input_shape(0)))};
}

constexpr size_t kAxes = 3;  // spatial axes; fewer are padded with size-1 axes

// Per spatial axis and output position: the first input index the window reads, how many
// taps fall inside the input, and how many inside the input and its declared pads.
struct AxisTaps {
  int64_t in = 1, out = 1, dilation = 1;
  std::vector<int64_t> first, inside, counted;
};

struct PoolGeometry {
  int64_t planes = 1;  // N * C
  std::array<AxisTaps, kAxes> axes;
};

PoolGeometry geometry(const Shape& x, const Window& w) {
  PoolGeometry g;
  g.planes = x[0] * x[1];
  const size_t dims = x.size() - 2;
  for (size_t a = 0; a < kAxes; ++a) {
    AxisTaps& t = g.axes[a];
    if (a >= dims) {
      t.first = {0};
      t.inside = {1};
      t.counted = {1};
      continue;
    }
    t.in = x[a + 2];
    t.out = w.output[a];
    t.dilation = w.dilations[a];
    for (int64_t o = 0; o < t.out; ++o) {
      int64_t first = -1, inside = 0, counted = 0;
      for (int64_t k = 0; k < w.kernel[a]; ++k) {
        const int64_t i = o * w.strides[a] + k * w.dilations[a] - w.pad_begin[a];
        if (i >= -w.pad_begin[a] && i < t.in + w.pad_end[a]) ++counted;
        if (i < 0 || i >= t.in) continue;
        if (first < 0) first = i;
        ++inside;
      }
      t.first.push_back(std::max<int64_t>(first, 0));
      t.inside.push_back(inside);
      t.counted.push_back(counted);
    }
  }
  return g;
}

// Calls f(input offset, output offset, 1 / divisor) for every tap of every window.
template <typename F>
void for_each_tap(const PoolGeometry& g, F f) {
  const auto& [d, h, w] = g.axes;
  const int64_t in_plane = d.in * h.in * w.in, out_plane = d.out * h.out * w.out;
  for (int64_t p = 0; p < g.planes; ++p)
    for (int64_t od = 0; od < d.out; ++od)
      for (int64_t oh = 0; oh < h.out; ++oh)
        for (int64_t ow = 0; ow < w.out; ++ow) {
          const auto ud = static_cast<size_t>(od), uh = static_cast<size_t>(oh),
                     uw = static_cast<size_t>(ow);
          const float scale =
              1.0f / static_cast<float>(d.counted[ud] * h.counted[uh] * w.counted[uw]);
          const int64_t out = p * out_plane + (od * h.out + oh) * w.out + ow;
          for (int64_t kd = 0; kd < d.inside[ud]; ++kd)
            for (int64_t kh = 0; kh < h.inside[uh]; ++kh)
              for (int64_t kw = 0; kw < w.inside[uw]; ++kw) {
                const int64_t id = d.first[ud] + kd * d.dilation,
                              ih = h.first[uh] + kh * h.dilation,
                              iw = w.first[uw] + kw * w.dilation;
                f(p * in_plane + (id * h.in + ih) * w.in + iw, out, scale);
              }
        }
}

void compile_counting_declared_pads(exec::OpContext& ctx, const Window& window) {
  const Shape& x_shape = ctx.input_shape(0);
  if (x_shape.size() > kAxes + 2)
    throw error(ctx.describe(), ": at most ", kAxes, " spatial dimensions are supported");
  const PoolGeometry g = geometry(x_shape, window);
  const int64_t out_count = element_count(ctx.output_shape(0));
  const float* x = exec::data_of(ctx.input_plain(0));
  float* y = exec::data_of(ctx.output_plain(0));
  ctx.forward([g, out_count, x, y] {
    std::fill_n(y, out_count, 0.0f);
    for_each_tap(g, [&](int64_t i, int64_t o, float scale) { y[o] += x[i] * scale; });
  });
  if (!ctx.needs_grad(0)) return;
  const int64_t in_count = element_count(x_shape);
  const float* dy = exec::data_of(ctx.diff_output_plain(0));
  float* dx = exec::data_of(ctx.diff_input_plain(0));
  ctx.backward([g, in_count, dy, dx] {
    std::fill_n(dx, in_count, 0.0f);
    for_each_tap(g, [&](int64_t i, int64_t o, float scale) { dx[i] += dy[o] * scale; });
  });
}

void compile(exec::OpContext& ctx) {
  const Window w = pooling_window(ctx.node(), ctx.input_shape(0));
  const bool include_pad = ctx.node().attr_int("count_include_pad", 0) != 0;
  if (include_pad && w.pad_end_effective != w.pad_end)
    return compile_counting_declared_pads(ctx, w);
  compile_pooling(ctx,
                  include_pad ? dnnl::algorithm::pooling_avg_include_padding
                              : dnnl::algorithm::pooling_avg_exclude_padding,
                  w);
}

}  // namespace
extern const OpSpec kAveragePoolOp{"AveragePool", infer, compile};
}  // namespace neuroscope::ops
