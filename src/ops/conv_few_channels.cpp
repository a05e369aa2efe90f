// The input gradient of a convolution with a few input channels, GoogLeNet's conv1/7x7_s2 above
// all, as one AVX2 kernel. oneDNN has no good shape for it: its backward-data kernels pad the 3
// channels to a block, and the phase correlation conv.cpp hands it otherwise has 3 x 4 output
// planes, padded to two blocks of 8, of which a quarter of the taps are zero; on AVX2 that ran at
// 45% of the peak, counting the FLOPs that matter (3.4 ms of a 47 ms step). Here every stride phase
// (ry, rx) of the input gradient sums only its own taps, with the output gradient's 8 channels of a
// block in one register and a few output positions side by side, and writes its results straight
// into the plain input gradient: no padded channels, no zero taps, no interleaving pass.
//
// dX[n, c, sy*m + ry, sx*mx + rx] = sum over taps (ky, kx) of phase (ry, rx), over o:
//     W[o, c, ky, kx] * dY[n, o, m + dy, mx + dx],   dy = (ry + pad_y - ky) / sy (exact), dx alike
#include "ops/conv_few_channels.h"

#include <immintrin.h>

#include <algorithm>
#include <memory>
#include <vector>

#include "ops/simd.h"

namespace neuroscope::ops {
namespace {

constexpr int64_t kBlock = 8;  // channels per block of dY, lanes of an AVX2 register
constexpr int64_t kMaxChannels = 4;

struct Tap {
  int64_t dy = 0, dx = 0;
};

struct Phase {
  int64_t ry = 0, rx = 0;
  int64_t rows = 0, cols = 0;      // of dX in this phase: m < rows, mx < cols
  std::vector<Tap> taps;           // in the packed weights' order
  int64_t dx_min = 0, dx_max = 0;  // over the taps
  size_t weights = 0;              // offset of this phase's packed weights
};

struct Geometry {
  int64_t images = 0, channels = 0, height = 0, width = 0;  // dX
  int64_t out_h = 0, out_w = 0, blocks = 0;                 // dY, in blocks of 8 channels
  int64_t sy = 1, sx = 1;
  int64_t max_rows = 0;
  std::vector<Phase> phases;  // ry-major
  // [phase][tap][block][c][lane]: W[block * 8 + lane, c, ky, kx], zero past the last channel.
  std::vector<float> weights;
};

int64_t exact_div(int64_t a, int64_t b) {
  return a >= 0 ? a / b : -(-a / b);
}

Geometry plan(const Shape& x, const Shape& y, const Window& window,
              const graph::Constant& weights) {
  Geometry g;
  g.images = x[0];
  g.channels = x[1];
  g.height = x[2];
  g.width = x[3];
  g.out_h = y[2];
  g.out_w = y[3];
  const int64_t outputs = y[1], kh = window.kernel[0], kw = window.kernel[1];
  g.sy = window.strides[0];
  g.sx = window.strides[1];
  g.blocks = (outputs + kBlock - 1) / kBlock;
  const std::vector<float> w = weights.as_floats();
  for (int64_t ry = 0; ry < g.sy; ++ry)
    for (int64_t rx = 0; rx < g.sx; ++rx) {
      Phase p{.ry = ry, .rx = rx};
      p.rows = (g.height - ry + g.sy - 1) / g.sy;
      p.cols = (g.width - rx + g.sx - 1) / g.sx;
      p.weights = g.weights.size();
      for (int64_t ky = 0; ky < kh; ++ky)
        for (int64_t kx = 0; kx < kw; ++kx) {
          const int64_t oy = ry + window.pad_begin[0] - ky, ox = rx + window.pad_begin[1] - kx;
          if (oy % g.sy != 0 || ox % g.sx != 0) continue;  // a tap of another phase
          const Tap t{exact_div(oy, g.sy), exact_div(ox, g.sx)};
          p.taps.push_back(t);
          p.dx_min = std::min(p.dx_min, t.dx);
          p.dx_max = std::max(p.dx_max, t.dx);
          for (int64_t b = 0; b < g.blocks; ++b)
            for (int64_t c = 0; c < g.channels; ++c)
              for (int64_t lane = 0; lane < kBlock; ++lane) {
                const int64_t o = b * kBlock + lane;
                g.weights.push_back(
                    o < outputs ? w[static_cast<size_t>(((o * g.channels + c) * kh + ky) * kw + kx)]
                                : 0.0f);
              }
        }
      g.max_rows = std::max(g.max_rows, p.rows);
      g.phases.push_back(std::move(p));
    }
  return g;
}

NS_AVX2 inline float sum_lanes(__m256 v) {
  __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  s = _mm_hadd_ps(s, s);
  return _mm_cvtss_f32(_mm_hadd_ps(s, s));
}

// P neighbouring positions mx.. of one phase row m, for C channels: C * P accumulators, each
// gathering 8 of dY's channels at a time, summed across lanes at the end. With kChecked, taps
// whose dY column lies outside are skipped (then P is 1); otherwise the caller has made sure
// every tap's column is inside for all P positions.
template <int C, int P, bool kChecked>
NS_AVX2 void positions(const Geometry& g, const Phase& ph, const float* dy, int64_t m, int64_t mx,
                       float* const* rows) {
  using R = Avx2Registers;
  R::V acc[C][P];
  for (int c = 0; c < C; ++c)
    for (int p = 0; p < P; ++p) acc[c][p] = R::zero();
  const int64_t block_stride = g.out_h * g.out_w * kBlock;
  const float* w = g.weights.data() + ph.weights;
  for (const Tap& t : ph.taps) {
    const float* wt = w;
    w += g.blocks * C * kBlock;
    const int64_t oy = m + t.dy, ox = mx + t.dx;
    if (oy < 0 || oy >= g.out_h) continue;
    if (kChecked && (ox < 0 || ox >= g.out_w)) continue;
    const float* at = dy + (oy * g.out_w + ox) * kBlock;
    for (int64_t b = 0; b < g.blocks; ++b, at += block_stride, wt += C * kBlock) {
      R::V d[P];
      for (int p = 0; p < P; ++p) d[p] = R::loadu(at + p * kBlock);
      for (int c = 0; c < C; ++c) {
        const R::V wc = R::loadu(wt + c * kBlock);
        for (int p = 0; p < P; ++p) acc[c][p] = R::fmadd(wc, d[p], acc[c][p]);
      }
    }
  }
  for (int c = 0; c < C; ++c)
    for (int p = 0; p < P; ++p) rows[c][(mx + p) * g.sx + ph.rx] = sum_lanes(acc[c][p]);
}

// One phase row of one image: positions in groups of P where all taps are inside, one by one at
// the edges. P gives C * P accumulators, at most 12, of AVX2's 16 registers (for C = 3, P = 4
// measured a little faster than 3, with one operand read from memory).
template <int C>
void phase_row(const Geometry& g, const Phase& ph, const float* dy, float* dx_image, int64_t m) {
  constexpr int P = C == 1 ? 8 : C == 2 ? 4 : C == 3 ? 4 : 2;
  float* rows[C];
  for (int c = 0; c < C; ++c) rows[c] = dx_image + (c * g.height + m * g.sy + ph.ry) * g.width;
  const int64_t fast_lo = std::max<int64_t>(0, -ph.dx_min);
  const int64_t fast_hi = std::min(ph.cols, g.out_w - ph.dx_max);  // positions mx < fast_hi
  int64_t mx = 0;
  for (; mx < ph.cols && mx < fast_lo; ++mx) positions<C, 1, true>(g, ph, dy, m, mx, rows);
  for (; mx + P <= fast_hi; mx += P) positions<C, P, false>(g, ph, dy, m, mx, rows);
  for (; mx < ph.cols; ++mx) positions<C, 1, true>(g, ph, dy, m, mx, rows);
}

using PhaseRow = void (*)(const Geometry&, const Phase&, const float*, float*, int64_t);

PhaseRow phase_row_for(int64_t channels) {
  switch (channels) {
    case 1:
      return phase_row<1>;
    case 2:
      return phase_row<2>;
    case 3:
      return phase_row<3>;
    default:
      return phase_row<4>;
  }
}

}  // namespace

bool compile_few_channel_input_gradient(exec::OpContext& ctx, const Window& window,
                                        const graph::Constant& weights,
                                        const dnnl::memory& diff_dst) {
  const Shape& x = ctx.input_shape(0);
  const Shape& y = ctx.output_shape(0);
  const exec::Desc d = diff_dst.get_desc();
  if (x.size() != 4 || x[1] > kMaxChannels || window.dilations[0] != 1 ||
      window.dilations[1] != 1 || d.data_type() != dnnl::memory::data_type::f32 ||
      exec::channel_block(d) != kBlock || !use_avx2_kernels())
    return false;
  auto g = std::make_shared<const Geometry>(plan(x, y, window, weights));
  const float* dy = exec::data_of(diff_dst);
  float* dx = exec::data_of(ctx.diff_input_plain(0));
  const PhaseRow row = phase_row_for(x[1]);
  ctx.backward([=] {
    const int64_t phases = static_cast<int64_t>(g->phases.size());
    const int64_t dy_image = g->blocks * g->out_h * g->out_w * kBlock;
    const int64_t dx_image = g->channels * g->height * g->width;
#pragma omp parallel for collapse(3) schedule(static)
    for (int64_t n = 0; n < g->images; ++n)
      for (int64_t m = 0; m < g->max_rows; ++m)
        for (int64_t p = 0; p < phases; ++p) {
          const Phase& ph = g->phases[static_cast<size_t>(p)];
          if (m < ph.rows) row(*g, ph, dy + n * dy_image, dx + n * dx_image, m);
        }
  });
  return true;
}

}  // namespace neuroscope::ops
