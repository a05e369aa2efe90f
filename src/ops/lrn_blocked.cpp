// Across-channel LRN with a centred window and beta = 0.75 (Caffe's, so GoogLeNet's and
// AlexNet's) on float32 tensors in the 16-channel blocked layout, in AVX-512: a pixel's 16
// channels are one register, and the window's neighbours in the blocks before and after are
// shifted in with lane permutes. scale^-0.75 comes from reciprocal square roots: no pow.
// Nothing is stored for the backward pass, which recomputes the scales from the input: per
// element, forward reads x and writes y, backward reads x and dy and writes dx.
//
// y_c = x_c s_c^-b with s_c = bias + alpha/size * sum_{|d|<=r} x_{c+d}^2, and since the window is
// symmetric, dx_j = dy_j s_j^-b - 2 b alpha/size x_j sum_{|d|<=r} t_{j+d} with t = dy y / s.
// GCC 12 warns inside its own avx512fintrin.h that _mm512_rsqrt14_ps reads an uninitialized
// value (GCC PR 105593, a false positive).
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <immintrin.h>

#include <algorithm>
#include <memory>

#include "exec/plan.h"
#include "ops/simd.h"
#include "ops/lrn_blocked.h"

namespace neuroscope::ops {
namespace {

constexpr int64_t kBlock = 16;
// A task: one image, a run of pixels, all channel blocks in order, so that a block's values,
// read again as the next block's neighbours, are still in cache.
constexpr int64_t kRun = 64;

struct Geometry {
  int64_t batch = 0, blocks = 0, pixels = 0, radius = 0;
  float bias = 1, k = 0;                     // scale = bias + k * window sum; k = alpha / size
  bool relu_mask = false;                    // zero dx where x <= 0 (OpContext::take_relu_mask)
  const uint8_t* redirected = nullptr;       // per image: ReLU gradient redirected (then no mask)
  bool stream_y = false, stream_dx = false;  // output / input gradient stored streaming
  int64_t at(int64_t n, int64_t cb, int64_t p) const {
    return ((n * blocks + cb) * pixels + p) * kBlock;
  }
};

// The sum over lanes c - r .. c + r of `cur`, its neighbours in `prev` (below) and `next`.
NS_AVX512 inline __m512 window_sum(__m512 prev, __m512 cur, __m512 next, int64_t radius) {
  const __m512i lane = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
  __m512 sum = cur;
  for (int64_t d = 1; d <= radius; ++d) {
    const __m512i up = _mm512_add_epi32(lane, _mm512_set1_epi32(static_cast<int>(d)));
    const __m512i down = _mm512_add_epi32(lane, _mm512_set1_epi32(static_cast<int>(kBlock - d)));
    sum = _mm512_add_ps(sum, _mm512_permutex2var_ps(cur, up, next));    // lanes c + d
    sum = _mm512_add_ps(sum, _mm512_permutex2var_ps(prev, down, cur));  // lanes c - d
  }
  return sum;
}

NS_AVX512 inline __m512 square(__m512 v) {
  return _mm512_mul_ps(v, v);
}

// 1 / sqrt(v) to float precision: the 14-bit estimate and one Newton step (no sqrt or divide,
// which would dominate the loops).
NS_AVX512 inline __m512 rsqrt(__m512 v) {
  const __m512 y = _mm512_rsqrt14_ps(v);
  const __m512 half_v_yy =
      _mm512_mul_ps(_mm512_mul_ps(_mm512_set1_ps(0.5f), v), _mm512_mul_ps(y, y));
  return _mm512_mul_ps(y, _mm512_sub_ps(_mm512_set1_ps(1.5f), half_v_yy));
}

// For pixels [p0, p0 + count) of block cb of image n: w = s^-0.75 and, when `r` is given,
// r = 1 / s, both from a = s^-1/2: r = a^2, w = a^2 / sqrt(a).
NS_AVX512 void scale_terms(const Geometry& g, const float* x, int64_t n, int64_t cb, int64_t p0,
                           int64_t count, float* w, float* r) {
  const __m512 zero = _mm512_setzero_ps(), bias = _mm512_set1_ps(g.bias), k = _mm512_set1_ps(g.k);
  const float* cur = x + g.at(n, cb, p0);
  const float* below = cb > 0 ? x + g.at(n, cb - 1, p0) : nullptr;
  const float* above = cb + 1 < g.blocks ? x + g.at(n, cb + 1, p0) : nullptr;
  for (int64_t i = 0; i < count * kBlock; i += kBlock) {
    const __m512 sum = window_sum(below ? square(_mm512_loadu_ps(below + i)) : zero,
                                  square(_mm512_loadu_ps(cur + i)),
                                  above ? square(_mm512_loadu_ps(above + i)) : zero, g.radius);
    const __m512 s = _mm512_fmadd_ps(k, sum, bias);
    const __m512 a = rsqrt(s);  // s^-1/2
    const __m512 inverse = _mm512_mul_ps(a, a);
    _mm512_storeu_ps(w + i, _mm512_mul_ps(inverse, rsqrt(a)));  // s^-1 * s^1/4
    if (r != nullptr) _mm512_storeu_ps(r + i, inverse);
  }
}

NS_AVX512 void forward_task(const Geometry& g, const float* x, float* y, int64_t n, int64_t p0,
                            int64_t count) {
  alignas(64) float w[kRun * kBlock];
  for (int64_t cb = 0; cb < g.blocks; ++cb) {
    scale_terms(g, x, n, cb, p0, count, w, nullptr);
    const int64_t at = g.at(n, cb, p0);
    for (int64_t i = 0; i < count * kBlock; i += kBlock)
      store16(y + at + i, _mm512_mul_ps(_mm512_loadu_ps(x + at + i), _mm512_load_ps(w + i)),
              g.stream_y);
  }
}

// t = dy y / s = dy x w r and w of pixels [p0, p0 + count) of block cb.
NS_AVX512 void ratio_terms(const Geometry& g, const float* x, const float* dy, int64_t n,
                           int64_t cb, int64_t p0, int64_t count, float* t, float* w, float* r) {
  scale_terms(g, x, n, cb, p0, count, w, r);
  const int64_t at = g.at(n, cb, p0);
  for (int64_t i = 0; i < count * kBlock; i += kBlock) {
    const __m512 xw = _mm512_mul_ps(_mm512_loadu_ps(x + at + i), _mm512_load_ps(w + i));
    _mm512_store_ps(t + i, _mm512_mul_ps(_mm512_mul_ps(_mm512_loadu_ps(dy + at + i), xw),
                                         _mm512_load_ps(r + i)));
  }
}

// Block by block, keeping t and w of three consecutive blocks in rings (slot cb % 3).
NS_AVX512 void backward_task(const Geometry& g, const float* x, const float* dy, float* dx,
                             int64_t n, int64_t p0, int64_t count) {
  alignas(64) float t[3][kRun * kBlock], w[3][kRun * kBlock], r[kRun * kBlock];
  const int64_t length = count * kBlock;
  const __m512 zero = _mm512_setzero_ps(), k2 = _mm512_set1_ps(2.0f * 0.75f * g.k);
  const bool masked = g.relu_mask && !g.redirected[n];
  ratio_terms(g, x, dy, n, 0, p0, count, t[0], w[0], r);
  for (int64_t cb = 0; cb < g.blocks; ++cb) {
    const int64_t next = cb + 1;
    if (next < g.blocks) ratio_terms(g, x, dy, n, next, p0, count, t[next % 3], w[next % 3], r);
    const float* below = cb > 0 ? t[(cb + 2) % 3] : nullptr;
    const float* above = cb + 1 < g.blocks ? t[(cb + 1) % 3] : nullptr;
    const float* tc = t[cb % 3];
    const float* wc = w[cb % 3];
    const int64_t at = g.at(n, cb, p0);
    for (int64_t i = 0; i < length; i += kBlock) {
      const __m512 spread =
          window_sum(below ? _mm512_load_ps(below + i) : zero, _mm512_load_ps(tc + i),
                     above ? _mm512_load_ps(above + i) : zero, g.radius);
      const __m512 v = _mm512_loadu_ps(x + at + i);
      const __m512 direct = _mm512_mul_ps(_mm512_loadu_ps(dy + at + i), _mm512_load_ps(wc + i));
      const __m512 grad = _mm512_fnmadd_ps(_mm512_mul_ps(k2, v), spread, direct);
      store16(dx + at + i,
              masked ? _mm512_maskz_mov_ps(_mm512_cmp_ps_mask(v, zero, _CMP_GT_OQ), grad) : grad,
              g.stream_dx);
    }
  }
}

// Runs task(n, first pixel, pixel count) over every image and run of pixels; each thread
// fences its streaming stores (if `streamed`) when done.
template <typename Task>
void for_each_task(const Geometry& g, bool streamed, Task task) {
  const int64_t runs = (g.pixels + kRun - 1) / kRun;
#pragma omp parallel
  {
#pragma omp for collapse(2) schedule(static)
    for (int64_t n = 0; n < g.batch; ++n)
      for (int64_t run = 0; run < runs; ++run)
        task(n, run * kRun, std::min(kRun, g.pixels - run * kRun));
    if (streamed) _mm_sfence();
  }
}

}  // namespace

bool compile_blocked_lrn(exec::OpContext& ctx, int64_t size, float alpha, float beta, float bias) {
  const Shape& shape = ctx.input_shape(0);
  const exec::Desc desc = ctx.input_desc(0);
  if (shape.size() != 4 || size % 2 == 0 || size / 2 >= kBlock || beta != 0.75f ||
      shape[1] % kBlock != 0 || desc.data_type() != dnnl::memory::data_type::f32 ||
      exec::channel_block(desc) != kBlock || !use_avx512_kernels())
    return false;
  auto g = std::make_shared<Geometry>(Geometry{shape[0], shape[1] / kBlock, shape[2] * shape[3],
                                               size / 2, bias, alpha / static_cast<float>(size)});
  g->redirected = ctx.relu_redirect_flags();
  g->relu_mask = ctx.take_relu_mask(0);
  const float* x = exec::data_of(ctx.input(0));
  float* y = exec::data_of(ctx.output(0, desc));
  g->stream_y = streams(y, desc.get_size());
  ctx.forward([=] {
    for_each_task(*g, g->stream_y, [&](int64_t n, int64_t p0, int64_t count) {
      forward_task(*g, x, y, n, p0, count);
    });
  });
  if (!ctx.needs_grad(0)) return true;
  const float* dy = exec::data_of(ctx.diff_output(0, desc));
  float* dx = exec::data_of(ctx.diff_input(0, desc));
  g->stream_dx = streams(dx, desc.get_size());
  ctx.backward([=] {
    for_each_task(*g, g->stream_dx, [&](int64_t n, int64_t p0, int64_t count) {
      backward_task(*g, x, dy, dx, n, p0, count);
    });
  });
  return true;
}

}  // namespace neuroscope::ops
