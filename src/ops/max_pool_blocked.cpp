// 2-D max pooling on float32 tensors in oneDNN's 16- or 8-channel blocked layout (what
// convolutions hand on with and without AVX-512), written out because oneDNN 2.6's pooling
// reaches only ~10 GB/s on these shapes (GoogLeNet's 3x3 pools: a seventh of a step with
// AVX-512, a fifth with AVX2). One pass over the input keeps, per output element, the window tap
// that won (a byte); the backward pass gathers, for every input element, the output gradients
// whose window it won, so each input is written once, without zeroing or races. A block's
// channels are one register: AVX-512 for 16, AVX2 for 8 (intrinsics: GCC 12's auto-vectorized
// loops were slower than oneDNN, and wrong under target("avx512f")); portable loops elsewhere.
#include <immintrin.h>
#include <algorithm>
#include <cstdint>
#include <memory>
#include <vector>

#include "exec/plan.h"
#include "ops/pooling.h"
#include "ops/simd.h"

namespace neuroscope::ops {
namespace {

constexpr int64_t kMaxBlock = 16;
using Tap = uint8_t;  // tap index ky * kw + kx within a window, below kNotPositive
// Marks a winner that is not positive, when the producer's ReLU mask is ours (take_relu_mask):
// such a window passes no gradient back, as the ReLU would not.
constexpr Tap kNotPositive = 0x80;

// Index ranges of one spatial axis, precomputed so the loops hold no divisions or tests.
struct Axis {
  int64_t in = 0, out = 0, kernel = 0, stride = 1, pad = 0;
  std::vector<int64_t> tap_lo, tap_hi;  // per output: valid taps [lo, hi) inside the input
  std::vector<int64_t> out_lo, out_hi;  // per input: outputs [lo, hi) whose window covers it

  Axis(int64_t in_, int64_t out_, int64_t kernel_, int64_t stride_, int64_t pad_)
      : in(in_), out(out_), kernel(kernel_), stride(stride_), pad(pad_) {
    for (int64_t o = 0; o < out; ++o) {
      const int64_t start = o * stride - pad;
      tap_lo.push_back(std::max<int64_t>(0, -start));
      tap_hi.push_back(std::min(kernel, in - start));
    }
    for (int64_t i = 0; i < in; ++i) {
      // o * stride - pad <= i <= o * stride - pad + kernel - 1
      const int64_t hi = std::min(out, (i + pad) / stride + 1);
      const int64_t lo = std::max<int64_t>(0, (i + pad - kernel + stride) / stride);
      out_lo.push_back(lo);
      out_hi.push_back(std::max(lo, hi));
    }
  }
  bool every_window_valid() const {
    for (int64_t o = 0; o < out; ++o)
      if (tap_lo[static_cast<size_t>(o)] >= tap_hi[static_cast<size_t>(o)]) return false;
    return true;
  }
};

struct Geometry {
  Axis y, x;
  int64_t planes = 0;  // batch x channel blocks
  int64_t blocks = 0;  // channel blocks per image
  int64_t block = 0;   // channels per block (8 or 16)
  bool relu_mask = false;
  const uint8_t* redirected = nullptr;  // per image: ReLU gradient redirected (then no mask)
};

// The rows below take the same arguments; a Kernels pair is picked once, at compile time.
using ForwardRow = void (*)(const float* plane, float* out, Tap* taps, const Geometry& g,
                            int64_t oy);
// A tap byte t' counts as tap t where (t' & keep) == t: keep drops kNotPositive when unmasked.
using BackwardRow = void (*)(const float* diff_plane, const Tap* tap_plane, float* diff_in,
                             const Geometry& g, int64_t iy, Tap keep);
struct Kernels {
  ForwardRow forward_row;
  BackwardRow backward_row;
};

// One output row of one channel block (portable loops).
void forward_row(const float* plane, float* out, Tap* taps, const Geometry& g, int64_t oy) {
  const auto r = static_cast<size_t>(oy);
  const int64_t iy0 = oy * g.y.stride - g.y.pad, kw = g.x.kernel, block = g.block;
  for (int64_t ox = 0; ox < g.x.out; ++ox) {
    const auto c = static_cast<size_t>(ox);
    const int64_t ix0 = ox * g.x.stride - g.x.pad;
    const int64_t ky0 = g.y.tap_lo[r], kx0 = g.x.tap_lo[c];
    float best[kMaxBlock];
    int64_t won[kMaxBlock];
    const float* first = plane + ((iy0 + ky0) * g.x.in + ix0 + kx0) * block;
    for (int64_t l = 0; l < block; ++l) {
      best[l] = first[l];
      won[l] = ky0 * kw + kx0;
    }
    for (int64_t ky = ky0; ky < g.y.tap_hi[r]; ++ky)
      for (int64_t kx = kx0; kx < g.x.tap_hi[c]; ++kx) {
        const float* v = plane + ((iy0 + ky) * g.x.in + ix0 + kx) * block;
        for (int64_t l = 0; l < block; ++l)
          if (v[l] > best[l]) {  // strict: the first maximum in scan order wins ties
            best[l] = v[l];
            won[l] = ky * kw + kx;
          }
      }
    std::copy(best, best + block, out + ox * block);
    if (taps != nullptr)
      for (int64_t l = 0; l < block; ++l)
        taps[ox * block + l] =
            static_cast<Tap>(won[l] | (g.relu_mask && !(best[l] > 0.0f) ? kNotPositive : 0));
  }
}

// One input row of one channel block: the sum of the output gradients it won (portable loops).
void backward_row(const float* diff_plane, const Tap* tap_plane, float* diff_in, const Geometry& g,
                  int64_t iy, Tap keep) {
  const auto r = static_cast<size_t>(iy);
  const int64_t kw = g.x.kernel, block = g.block;
  for (int64_t ix = 0; ix < g.x.in; ++ix) {
    const auto c = static_cast<size_t>(ix);
    float sum[kMaxBlock] = {};
    for (int64_t oy = g.y.out_lo[r]; oy < g.y.out_hi[r]; ++oy) {
      const int64_t ky = iy + g.y.pad - oy * g.y.stride;
      for (int64_t ox = g.x.out_lo[c]; ox < g.x.out_hi[c]; ++ox) {
        const auto t = static_cast<Tap>(ky * kw + ix + g.x.pad - ox * g.x.stride);
        const int64_t at = (oy * g.x.out + ox) * block;
        for (int64_t l = 0; l < block; ++l)
          if ((tap_plane[at + l] & keep) == t) sum[l] += diff_plane[at + l];
      }
    }
    std::copy(sum, sum + block, diff_in + ix * block);
  }
}

// The same two rows with a block of channels in one register: AVX-512 (F, BW, VL) for 16,
// AVX2 for 8.
#pragma GCC push_options
#pragma GCC target("avx512f,avx512bw,avx512vl")
namespace avx512 {

struct Simd : Avx512Registers {
  using I = __m512i;
  using Mask = __mmask16;
  static I set1i(int i) { return _mm512_set1_epi32(i); }
  static I add(I a, I b) { return _mm512_add_epi32(a, b); }
  static Mask greater(V a, V b) { return _mm512_cmp_ps_mask(a, b, _CMP_GT_OQ); }
  static Mask equal(V a, V b) { return _mm512_cmp_ps_mask(a, b, _CMP_EQ_OQ); }
  static Mask is_nan(V a) { return _mm512_cmp_ps_mask(a, a, _CMP_UNORD_Q); }
  static Mask less(I a, I b) { return _mm512_cmplt_epi32_mask(a, b); }
  static Mask either(Mask a, Mask b) { return static_cast<Mask>(a | b); }
  static Mask both(Mask a, Mask b) { return static_cast<Mask>(a & b); }
  static V select(Mask m, V a, V b) { return _mm512_mask_mov_ps(a, m, b); }
  static I select(Mask m, I a, I b) { return _mm512_mask_mov_epi32(a, m, b); }
  static I mark_not_positive(I won, V best) {
    const Mask positive = greater(best, zero());
    return _mm512_mask_or_epi32(won, static_cast<Mask>(~positive), won, set1i(kNotPositive));
  }
  static void store_taps(Tap* p, I won) { _mm512_mask_cvtepi32_storeu_epi8(p, 0xFFFF, won); }
  static V add_won(V sum, const float* diff, const Tap* taps, Tap t, Tap keep) {
    const __m128i won = _mm_and_si128(_mm_loadu_si128(reinterpret_cast<const __m128i*>(taps)),
                                      _mm_set1_epi8(static_cast<char>(keep)));
    const Mask mine = _mm_cmpeq_epi8_mask(won, _mm_set1_epi8(static_cast<char>(t)));
    return _mm512_mask_add_ps(sum, mine, sum, loadu(diff));
  }
};

#include "ops/max_pool_blocked_kernels.inc"

}  // namespace avx512
#pragma GCC pop_options

// AVX2 has no mask registers: a comparison gives a lane of all ones or zeros, and blends and
// ANDs apply it.
#pragma GCC push_options
#pragma GCC target("avx2,fma")
namespace avx2 {

struct Simd : Avx2Registers {
  using I = __m256i;
  using Mask = __m256;
  static I set1i(int i) { return _mm256_set1_epi32(i); }
  static I add(I a, I b) { return _mm256_add_epi32(a, b); }
  static Mask greater(V a, V b) { return _mm256_cmp_ps(a, b, _CMP_GT_OQ); }
  static Mask equal(V a, V b) { return _mm256_cmp_ps(a, b, _CMP_EQ_OQ); }
  static Mask is_nan(V a) { return _mm256_cmp_ps(a, a, _CMP_UNORD_Q); }
  static Mask less(I a, I b) { return _mm256_castsi256_ps(_mm256_cmpgt_epi32(b, a)); }
  static Mask either(Mask a, Mask b) { return _mm256_or_ps(a, b); }
  static Mask both(Mask a, Mask b) { return _mm256_and_ps(a, b); }
  static V select(Mask m, V a, V b) { return _mm256_blendv_ps(a, b, m); }
  static I select(Mask m, I a, I b) { return _mm256_blendv_epi8(a, b, _mm256_castps_si256(m)); }
  static I mark_not_positive(I won, V best) {
    const I positive = _mm256_castps_si256(greater(best, zero()));
    return _mm256_or_si256(won, _mm256_andnot_si256(positive, set1i(kNotPositive)));
  }
  // 8 taps below 256 to 8 bytes: to 16 bits (the halves in order), then to 8.
  static void store_taps(Tap* p, I won) {
    const __m128i halves =
        _mm_packus_epi32(_mm256_castsi256_si128(won), _mm256_extracti128_si256(won, 1));
    _mm_storel_epi64(reinterpret_cast<__m128i*>(p), _mm_packus_epi16(halves, halves));
  }
  static V add_won(V sum, const float* diff, const Tap* taps, Tap t, Tap keep) {
    const __m128i won = _mm_and_si128(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(taps)),
                                      _mm_set1_epi8(static_cast<char>(keep)));
    // Bytes 0xFF where this input won, widened to whole lanes by sign extension.
    const __m256i mine =
        _mm256_cvtepi8_epi32(_mm_cmpeq_epi8(won, _mm_set1_epi8(static_cast<char>(t))));
    return _mm256_add_ps(sum, _mm256_and_ps(_mm256_castsi256_ps(mine), loadu(diff)));
  }
};

#include "ops/max_pool_blocked_kernels.inc"

}  // namespace avx2
#pragma GCC pop_options

// The rows for 3-wide windows with column stride 1 or 2 where they apply, else the general ones.
Kernels rows_for(const Geometry& g, Kernels general, Kernels stride1, Kernels stride2) {
  if (g.x.kernel != 3 || g.y.kernel > 8) return general;
  return g.x.stride == 1 ? stride1 : g.x.stride == 2 ? stride2 : general;
}

Kernels pick_kernels(const Geometry& g) {
  if (g.block == avx512::Simd::kLanes && use_avx512_kernels()) {
    return rows_for(g, {avx512::forward_row, avx512::backward_row},
                    {avx512::forward_row_3wide<1>, avx512::backward_row_3wide<1>},
                    {avx512::forward_row_3wide<2>, avx512::backward_row_3wide<2>});
  }
  if (g.block == avx2::Simd::kLanes && use_avx2_kernels()) {
    return rows_for(g, {avx2::forward_row, avx2::backward_row},
                    {avx2::forward_row_3wide<1>, avx2::backward_row_3wide<1>},
                    {avx2::forward_row_3wide<2>, avx2::backward_row_3wide<2>});
  }
  return {forward_row, backward_row};
}

void forward(const Kernels& k, const float* x, float* y, Tap* taps, const Geometry& g) {
  const int64_t in_plane = g.y.in * g.x.in * g.block, out_plane = g.y.out * g.x.out * g.block;
#pragma omp parallel for collapse(2) schedule(static)
  for (int64_t p = 0; p < g.planes; ++p)
    for (int64_t oy = 0; oy < g.y.out; ++oy) {
      const int64_t at = p * out_plane + oy * g.x.out * g.block;
      k.forward_row(x + p * in_plane, y + at, taps != nullptr ? taps + at : nullptr, g, oy);
    }
}

void backward(const Kernels& k, const float* dy, const Tap* taps, float* dx, const Geometry& g) {
  const int64_t in_plane = g.y.in * g.x.in * g.block, out_plane = g.y.out * g.x.out * g.block;
#pragma omp parallel for collapse(2) schedule(static)
  for (int64_t p = 0; p < g.planes; ++p)
    for (int64_t iy = 0; iy < g.y.in; ++iy) {
      const bool masked = g.relu_mask && !g.redirected[p / g.blocks];
      k.backward_row(dy + p * out_plane, taps + p * out_plane,
                     dx + p * in_plane + iy * g.x.in * g.block, g, iy,
                     masked ? Tap{0xFF} : static_cast<Tap>(~kNotPositive));
    }
}

}  // namespace

bool compile_blocked_max_pool(exec::OpContext& ctx, const Window& window) {
  const Shape& x = ctx.input_shape(0);
  const Shape& y = ctx.output_shape(0);
  const exec::Desc in_desc = ctx.input_desc(0);
  const int64_t block = exec::channel_block(in_desc);
  if (x.size() != 4 || in_desc.data_type() != dnnl::memory::data_type::f32 ||
      (block != avx2::Simd::kLanes && block != avx512::Simd::kLanes))
    return false;
  if (window.dilations[0] != 1 || window.dilations[1] != 1 ||
      window.kernel[0] * window.kernel[1] > kNotPositive)
    return false;
  auto g = std::make_shared<Geometry>(
      Geometry{Axis(x[2], y[2], window.kernel[0], window.strides[0], window.pad_begin[0]),
               Axis(x[3], y[3], window.kernel[1], window.strides[1], window.pad_begin[1]),
               x[0] * ((x[1] + block - 1) / block)});
  if (!g->y.every_window_valid() || !g->x.every_window_valid()) return false;  // oneDNN's -inf
  g->blocks = (x[1] + block - 1) / block;
  g->block = block;
  g->redirected = ctx.relu_redirect_flags();
  g->relu_mask = ctx.take_relu_mask(0);

  const exec::Desc out_desc =
      exec::channel_blocked_desc(exec::to_dims(y), in_desc.data_type(), block);
  const float* src = exec::data_of(ctx.input(0));
  float* dst = exec::data_of(ctx.output(0, out_desc));
  Tap* taps = nullptr;
  if (ctx.training()) {
    const exec::Desc taps_desc(
        exec::to_dims(y), dnnl::memory::data_type::u8,
        block == avx2::Simd::kLanes ? exec::Tag::aBcd8b : exec::Tag::aBcd16b);
    taps = static_cast<Tap*>(ctx.buffer(taps_desc).get_data_handle());
  }
  const Kernels kernels = pick_kernels(*g);
  ctx.forward([=] { forward(kernels, src, dst, taps, *g); });
  if (!ctx.needs_grad(0)) return true;
  const float* diff_dst = exec::data_of(ctx.diff_output(0, out_desc));
  float* diff_src = exec::data_of(ctx.diff_input(0, in_desc));
  ctx.backward([=] { backward(kernels, diff_dst, taps, diff_src, *g); });
  return true;
}

}  // namespace neuroscope::ops
