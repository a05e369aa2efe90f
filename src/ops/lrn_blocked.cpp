// Across-channel LRN with a centred window and beta = 0.75 (Caffe's, so GoogLeNet's and
// AlexNet's) on float32 tensors in oneDNN's channel-blocked layouts: a pixel's block of channels
// is one register (16 channels in AVX-512, 8 in AVX2), and the window's neighbours in the blocks
// before and after are shifted in with lane permutes. scale^-0.75 comes from reciprocal square
// roots: no pow. Nothing is stored for the backward pass, which recomputes the scales from the
// input: per element, forward reads x and writes y, backward reads x and dy and writes dx.
//
// y_c = x_c s_c^-b with s_c = bias + alpha/size * sum_{|d|<=r} x_{c+d}^2, and since the window is
// symmetric, dx_j = dy_j s_j^-b - 2 b alpha/size x_j sum_{|d|<=r} t_{j+d} with t = dy y / s.
// The kernels are written once (lrn_blocked_kernels.inc) and compiled for each instruction set.
// GCC 12 warns inside its own avx512fintrin.h that _mm512_rsqrt14_ps reads an uninitialized
// value (GCC PR 105593, a false positive).
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <immintrin.h>

#include <algorithm>
#include <memory>

#include "exec/plan.h"
#include "ops/lrn_blocked.h"
#include "ops/simd.h"

namespace neuroscope::ops {
namespace {

// A task: one image, a run of pixels, all channel blocks in order, so that a block's values,
// read again as the next block's neighbours, are still in cache.
constexpr int64_t kRun = 64;

struct Geometry {
  int64_t batch = 0, blocks = 0, pixels = 0, radius = 0;
  float bias = 1, k = 0;                     // scale = bias + k * window sum; k = alpha / size
  int64_t block = 0;                         // channels per block: 16 or 8
  bool relu_mask = false;                    // zero dx where x <= 0 (OpContext::take_relu_mask)
  const uint8_t* redirected = nullptr;       // per image: ReLU gradient redirected (then no mask)
  bool stream_y = false, stream_dx = false;  // output / input gradient stored streaming
  int64_t at(int64_t n, int64_t cb, int64_t p) const {
    return ((n * blocks + cb) * pixels + p) * block;
  }
};

#pragma GCC push_options
#pragma GCC target("avx512f,avx512bw,avx512vl")
namespace avx512 {

struct Simd : Avx512Registers {
  static V positive_only(V x, V g) {
    return _mm512_maskz_mov_ps(_mm512_cmp_ps_mask(x, zero(), _CMP_GT_OQ), g);
  }
  // The 14-bit estimate and one Newton step (no sqrt or divide, which would dominate).
  static V rsqrt(V v) {
    const V y = _mm512_rsqrt14_ps(v);
    const V half_v_yy = mul(mul(set1(0.5f), v), mul(y, y));
    return mul(y, _mm512_sub_ps(set1(1.5f), half_v_yy));
  }
  static V window_sum(V prev, V cur, V next, int64_t radius) {
    const __m512i lane = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
    V sum = cur;
    for (int64_t d = 1; d <= radius; ++d) {
      const __m512i up = _mm512_add_epi32(lane, _mm512_set1_epi32(static_cast<int>(d)));
      const __m512i down = _mm512_add_epi32(lane, _mm512_set1_epi32(static_cast<int>(kLanes - d)));
      sum = _mm512_add_ps(sum, _mm512_permutex2var_ps(cur, up, next));    // lanes c + d
      sum = _mm512_add_ps(sum, _mm512_permutex2var_ps(prev, down, cur));  // lanes c - d
    }
    return sum;
  }
};

#include "ops/lrn_blocked_kernels.inc"

}  // namespace avx512
#pragma GCC pop_options

#pragma GCC push_options
#pragma GCC target("avx2,fma")
namespace avx2 {

// Lane c + D of the 16 lanes [cur, next]: the middle 8 lanes, then a byte shift per 128 bits.
template <int D>
__m256 lanes_above(__m256 cur, __m256 next) {
  const __m256 middle = _mm256_permute2f128_ps(cur, next, 0x21);
  return _mm256_castsi256_ps(
      _mm256_alignr_epi8(_mm256_castps_si256(middle), _mm256_castps_si256(cur), 4 * D));
}

// Lane c - D of the 16 lanes [prev, cur].
template <int D>
__m256 lanes_below(__m256 prev, __m256 cur) {
  const __m256 middle = _mm256_permute2f128_ps(prev, cur, 0x21);
  return _mm256_castsi256_ps(
      _mm256_alignr_epi8(_mm256_castps_si256(cur), _mm256_castps_si256(middle), 16 - 4 * D));
}

template <int R>
__m256 window_sum_of_radius(__m256 prev, __m256 cur, __m256 next) {
  if constexpr (R == 0) {
    return cur;
  } else {
    const __m256 pair = _mm256_add_ps(lanes_above<R>(cur, next), lanes_below<R>(prev, cur));
    return _mm256_add_ps(window_sum_of_radius<R - 1>(prev, cur, next), pair);
  }
}

// Byte shifts within 128 bits reach 4 lanes: radius at most 4 (window 9).
constexpr int64_t kMaxRadius = 4;

struct Simd : Avx2Registers {
  static V positive_only(V x, V g) {
    return _mm256_and_ps(_mm256_cmp_ps(x, zero(), _CMP_GT_OQ), g);
  }
  // The 12-bit estimate and one Newton step.
  static V rsqrt(V v) {
    const V y = _mm256_rsqrt_ps(v);
    const V half_v_yy = mul(mul(set1(0.5f), v), mul(y, y));
    return mul(y, _mm256_sub_ps(set1(1.5f), half_v_yy));
  }
  static V window_sum(V prev, V cur, V next, int64_t radius) {
    switch (radius) {
      case 1:
        return window_sum_of_radius<1>(prev, cur, next);
      case 2:
        return window_sum_of_radius<2>(prev, cur, next);
      case 3:
        return window_sum_of_radius<3>(prev, cur, next);
      case 4:
        return window_sum_of_radius<4>(prev, cur, next);
      default:  // radius 0 (compile_blocked_lrn takes none above kMaxRadius)
        return cur;
    }
  }
};

#include "ops/lrn_blocked_kernels.inc"

}  // namespace avx2
#pragma GCC pop_options

using ForwardTask = void (*)(const Geometry&, const float* x, float* y, int64_t n, int64_t p0,
                             int64_t count);
using BackwardTask = void (*)(const Geometry&, const float* x, const float* dy, float* dx,
                              int64_t n, int64_t p0, int64_t count);

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
  const int64_t block = exec::channel_block(desc), radius = size / 2;
  if (shape.size() != 4 || size % 2 == 0 || beta != 0.75f ||
      desc.data_type() != dnnl::memory::data_type::f32)
    return false;
  ForwardTask forward_task = nullptr;
  BackwardTask backward_task = nullptr;
  if (block == avx512::Simd::kLanes && radius < block && use_avx512_kernels()) {
    forward_task = avx512::forward_task;
    backward_task = avx512::backward_task;
  } else if (block == avx2::Simd::kLanes && radius <= avx2::kMaxRadius && use_avx2_kernels()) {
    forward_task = avx2::forward_task;
    backward_task = avx2::backward_task;
  }
  if (forward_task == nullptr || shape[1] % block != 0) return false;
  auto g =
      std::make_shared<Geometry>(Geometry{shape[0], shape[1] / block, shape[2] * shape[3], radius,
                                          bias, alpha / static_cast<float>(size), block});
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
