// Concat: joins tensors along an axis. With batch 1 along channels the executor usually has the
// inputs' producers write straight into the output (in-place, nothing to do here). Otherwise
// inputs that share a channel-blocked layout are copied run by run (compile_by_copies), or,
// when only the objective reads the output, transposed into its plain tensor
// (compile_into_tap); any other case is oneDNN's concat forward, each input's slice of the
// gradient a reorder backward. Where a producer's fused ReLU offers its gradient mask, the
// backward copies apply it.
// GCC 12 warns inside its own avx512fintrin.h that the intrinsics below read an uninitialized
// value (GCC PR 105593, a false positive).
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <immintrin.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>

#include "exec/plan.h"
#include "ops/op.h"
#include "ops/simd.h"
#include "ops/view.h"

namespace neuroscope::ops {
namespace {

using dnnl::memory;
using exec::Desc;

int64_t concat_axis(const graph::Node& node, const Shape& first) {
  return normalize_axis(node, node.attr_int("axis", 1), static_cast<int64_t>(first.size()));
}

std::vector<Shape> infer(const ShapeContext& ctx) {
  const Shape& first = ctx.input_shape(0);
  const int64_t axis = concat_axis(ctx.node(), first);
  Shape out = first;
  out[static_cast<size_t>(axis)] = 0;
  for (size_t i = 0; i < ctx.num_inputs(); ++i) {
    const Shape& s = ctx.input_shape(i);
    bool compatible = s.size() == first.size();
    for (size_t k = 0; compatible && k < s.size(); ++k)
      compatible = static_cast<int64_t>(k) == axis || s[k] == first[k];
    if (!compatible)
      throw error(ctx.node().describe(), ": input '", ctx.node().inputs[i], "' has shape ",
                  to_string(s), ", which does not match ", to_string(first), " outside axis ",
                  axis);
    out[static_cast<size_t>(axis)] += s[static_cast<size_t>(axis)];
  }
  return {out};
}

// Input i; a constant (the zeros of a skipped branch) in plain layout and the data type the
// computed inputs have (bf16 in bfloat16 plans), which oneDNN's concat needs them all to share.
memory input_memory(exec::OpContext& ctx, size_t i) {
  if (!ctx.constant(i)) return ctx.input(i);
  memory::data_type type = memory::data_type::f32;
  for (size_t k = 0; k < ctx.num_inputs(); ++k)
    if (!ctx.constant(k)) {
      type = ctx.input_desc(k).data_type();
      break;
    }
  return ctx.constant_memory(i, exec::plain_desc(ctx.input_shape(i), type));
}

// The executor placed (some of) the inputs inside the output buffer: copy only the others.
void compile_in_place(exec::OpContext& ctx, const Desc& layout) {
  ctx.output(0, layout);
  for (size_t i = 0; i < ctx.num_inputs(); ++i) {
    if (ctx.input_in_place(i)) continue;
    memory region = ctx.output_region(i);
    if (ctx.constant(i)) {  // the zeros of a skipped branch: written once
      exec::reorder_now(ctx.describe(), input_memory(ctx, i), region);
      continue;
    }
    memory src = ctx.input(i, region.get_desc());
    auto copy = exec::dnnl_call(ctx.describe(), [&] { return dnnl::reorder(src, region); });
    ctx.forward(copy, {{DNNL_ARG_FROM, src}, {DNNL_ARG_TO, region}});
  }
  for (size_t i = 0; i < ctx.num_inputs(); ++i) {
    if (!ctx.needs_grad(i) || ctx.input_in_place(i)) continue;
    memory region = ctx.diff_output_region(i);
    memory target = ctx.diff_input(i, region.get_desc());
    auto copy = exec::dnnl_call(ctx.describe(), [&] { return dnnl::reorder(region, target); });
    ctx.backward(copy, {{DNNL_ARG_FROM, region}, {DNNL_ARG_TO, target}});
  }
}

// Channel concatenation of 4-D tensors that share a channel-blocked layout (plain, 8 or 16)
// with every input's channel count a multiple of the block: per image, each input is one
// contiguous run of the output, so forward and backward are plain copies of whole runs (several
// times faster than oneDNN's concat and sub-memory reorders at batch 8).
struct Run {
  int64_t input, image;
  int64_t from, to, length;  // element offsets in the input and the output, element count
};

std::vector<Run> channel_runs(exec::OpContext& ctx, int64_t block) {
  const Shape& out = ctx.output_shape(0);
  const int64_t spatial = out[2] * out[3];
  std::vector<Run> runs;
  int64_t offset = 0;
  for (size_t i = 0; i < ctx.num_inputs(); ++i) {
    const int64_t channels = ctx.input_shape(i)[1];
    for (int64_t b = 0; b < out[0]; ++b)
      runs.push_back({static_cast<int64_t>(i), b, b * channels * spatial,
                      (b * out[1] + offset) * spatial, channels * spatial});
    offset += channels;
  }
  NS_CHECK(block > 0 && offset == out[1], ctx.describe());
  return runs;
}

// The common block of the inputs' layouts when the copies above apply, else 0. Constant inputs
// (the zeros of skipped branches, see prune_unread_channels) take the others' layout.
int64_t copyable_block(exec::OpContext& ctx, int64_t axis) {
  if (axis != 1 || ctx.output_shape(0).size() != 4) return 0;
  int64_t block = -1;
  for (size_t i = 0; i < ctx.num_inputs(); ++i) {
    if (ctx.constant(i)) continue;
    const Desc d = ctx.input_desc(i);
    const int64_t b = exec::channel_block(d);
    if (b == 0 || d.data_type() != memory::data_type::f32 || ctx.input_shape(i)[1] % b != 0 ||
        (block != -1 && b != block))
      return 0;
    block = b;
  }
  if (block <= 0) return 0;
  for (size_t i = 0; i < ctx.num_inputs(); ++i)
    if (ctx.constant(i) && ctx.input_shape(i)[1] % block != 0) return 0;
  return block;
}

// Input i's values in the common channel-blocked layout (constants reordered once, here).
const float* blocked_input(exec::OpContext& ctx, size_t i, int64_t block) {
  if (!ctx.constant(i)) return exec::data_of(ctx.input(i));
  return exec::data_of(
      ctx.constant_memory(i, exec::channel_blocked_desc(exec::to_dims(ctx.input_shape(i)),
                                                        memory::data_type::f32, block)));
}

// Constant inputs (the zeros of skipped branches) never change: their pieces (runs, slices) are
// written into the output once, here, by `write`, and dropped from those each step copies.
template <typename Piece, typename Write>
void write_constant_pieces_once(exec::OpContext& ctx, std::vector<Piece>& pieces, Write write) {
  const auto constant = std::stable_partition(pieces.begin(), pieces.end(), [&](const Piece& p) {
    return ctx.constant(static_cast<size_t>(p.input)) == nullptr;
  });
  std::for_each(constant, pieces.end(), write);
  pieces.erase(constant, pieces.end());
}

// How the runs are copied: with AVX-512 (then streaming stores, see kStreamBytes, where the
// output is that large) or portable loops.
struct CopyMode {
  bool avx512 = false, stream = false;
};

// A gradient value g, or, given the forward values y of a ReLU whose gradient mask this Concat
// took over (OpContext::take_relu_mask), g where y[at] > 0 and 0 elsewhere.
inline float masked(float g, const float* y, int64_t at) {
  return y == nullptr || y[at] > 0.0f ? g : 0.0f;
}

// to[i] = masked(from[i], y, i) for i in [begin, end).
void copy_portable(const float* from, const float* y, float* to, int64_t begin, int64_t end) {
  if (y == nullptr) {
    std::copy(from + begin, from + end, to + begin);
    return;
  }
  for (int64_t i = begin; i < end; ++i) to[i] = masked(from[i], y, i);
}

NS_AVX512 void copy_avx512(const float* from, const float* y, float* to, int64_t count,
                           bool stream) {
  int64_t i = 0;
  if (stream)
    while (i < count && (reinterpret_cast<uintptr_t>(to + i) & 63) != 0) ++i;
  copy_portable(from, y, to, 0, i);
  const __m512 zero = _mm512_setzero_ps();
  for (; i + 16 <= count; i += 16) {
    __m512 v = _mm512_loadu_ps(from + i);
    if (y != nullptr)
      v = _mm512_maskz_mov_ps(_mm512_cmp_ps_mask(_mm512_loadu_ps(y + i), zero, _CMP_GT_OQ), v);
    store16(to + i, v, stream);
  }
  copy_portable(from, y, to, i, count);
  if (stream) _mm_sfence();
}

void copy(const float* from, const float* y, float* to, int64_t count, CopyMode mode) {
  if (mode.avx512) return copy_avx512(from, y, to, count, mode.stream);
  copy_portable(from, y, to, 0, count);
}

void copy_runs(const std::vector<Run>& runs, const std::vector<const float*>& inputs, float* out,
               CopyMode mode) {
#pragma omp parallel for schedule(dynamic, 1)
  for (size_t r = 0; r < runs.size(); ++r) {
    const Run& run = runs[r];
    copy(inputs[static_cast<size_t>(run.input)] + run.from, nullptr, out + run.to, run.length,
         mode);
  }
}

// masks[i]: input i's forward values where this Concat applies its producer's ReLU mask, else
// null; images whose ReLU gradients are redirected are left to the producer unmasked.
void split_runs(const std::vector<Run>& runs, const float* whole,
                const std::vector<float*>& outputs, const std::vector<const float*>& masks,
                const uint8_t* redirected, CopyMode mode) {
#pragma omp parallel for schedule(dynamic, 1)
  for (size_t r = 0; r < runs.size(); ++r) {
    const Run& run = runs[r];
    const auto i = static_cast<size_t>(run.input);
    if (outputs[i] == nullptr) continue;
    const float* y =
        masks[i] != nullptr && redirected[run.image] == 0 ? masks[i] + run.from : nullptr;
    copy(whole + run.to, y, outputs[i] + run.from, run.length, mode);
  }
}

// Where each input's gradient goes (null: not wanted; all empty when none is) and, where the
// input's producer offers its fused ReLU's mask (take_relu_mask), the input's values to apply
// it from: the gradient is copied out anyway, and masking in the copy saves the producer a pass.
struct GradientTargets {
  std::vector<float*> grads;
  std::vector<const float*> masks;
};

GradientTargets gradient_targets(exec::OpContext& ctx, const std::vector<const float*>& inputs) {
  GradientTargets t;
  bool any = false;
  for (size_t i = 0; i < ctx.num_inputs(); ++i) {
    const bool wanted = ctx.needs_grad(i);
    t.grads.push_back(wanted ? exec::data_of(ctx.diff_input(i, ctx.input_desc(i))) : nullptr);
    t.masks.push_back(wanted && ctx.take_relu_mask(i) ? inputs[i] : nullptr);
    any |= wanted;
  }
  return any ? t : GradientTargets();
}

void compile_by_copies(exec::OpContext& ctx, int64_t block) {
  std::vector<Run> runs = channel_runs(ctx, block);
  std::vector<const float*> inputs;
  for (size_t i = 0; i < ctx.num_inputs(); ++i) inputs.push_back(blocked_input(ctx, i, block));
  const Desc layout =
      exec::channel_blocked_desc(exec::to_dims(ctx.output_shape(0)), memory::data_type::f32, block);
  float* out = exec::data_of(ctx.output(0, layout));
  write_constant_pieces_once(ctx, runs, [&](const Run& r) {
    copy(inputs[static_cast<size_t>(r.input)] + r.from, nullptr, out + r.to, r.length, CopyMode{});
  });
  CopyMode mode;
  mode.avx512 = use_avx512_kernels();
  mode.stream = mode.avx512 && layout.get_size() >= kStreamBytes;
  ctx.forward([=] { copy_runs(runs, inputs, out, mode); });
  if (!ctx.training()) return;
  const GradientTargets t = gradient_targets(ctx, inputs);
  if (t.grads.empty()) return;
  const float* diff = exec::data_of(ctx.diff_output(0, layout));
  const uint8_t* redirected = ctx.relu_redirect_flags();
  ctx.backward([=] { split_runs(runs, diff, t.grads, t.masks, redirected, mode); });
}

// A Concat whose output only the objective reads (OpContext::output_only_for_objective) and
// whose inputs come in 8- or 16-channel blocks: each block of each image is transposed straight
// into the objective's plain tensor, and its gradient straight back out of the objective's plain
// gradient (with the producer's ReLU mask where taken). The tap's own copies and a pass each
// way are saved; batch 1 is in place anyway. 16-channel blocks have AVX-512 kernels.
constexpr int64_t kTapBlock = 16;
bool transposes_into_tap(int64_t block) {
  return block == 8 || block == kTapBlock;
}

// Rows r[0..15] of a 16x16 tile become its columns, in registers: pairs of rows interleaved by
// floats, then by float pairs (each 128-bit lane k of u[4i + j] is column 4k + j of rows
// 4i..4i+3), then the lanes gathered column by column.
NS_AVX512 inline void transpose16(__m512 (&r)[16]) {
  __m512 t[16], u[16];
  for (size_t i = 0; i < 8; ++i) {
    t[2 * i] = _mm512_unpacklo_ps(r[2 * i], r[2 * i + 1]);
    t[2 * i + 1] = _mm512_unpackhi_ps(r[2 * i], r[2 * i + 1]);
  }
  for (size_t i = 0; i < 4; ++i) {
    const __m512d a = _mm512_castps_pd(t[4 * i]), b = _mm512_castps_pd(t[4 * i + 1]);
    const __m512d c = _mm512_castps_pd(t[4 * i + 2]), d = _mm512_castps_pd(t[4 * i + 3]);
    u[4 * i] = _mm512_castpd_ps(_mm512_unpacklo_pd(a, c));
    u[4 * i + 1] = _mm512_castpd_ps(_mm512_unpackhi_pd(a, c));
    u[4 * i + 2] = _mm512_castpd_ps(_mm512_unpacklo_pd(b, d));
    u[4 * i + 3] = _mm512_castpd_ps(_mm512_unpackhi_pd(b, d));
  }
  for (size_t j = 0; j < 4; ++j) {
    const __m512 x0 = _mm512_shuffle_f32x4(u[j], u[4 + j], 0x44);
    const __m512 x1 = _mm512_shuffle_f32x4(u[j], u[4 + j], 0xEE);
    const __m512 y0 = _mm512_shuffle_f32x4(u[8 + j], u[12 + j], 0x44);
    const __m512 y1 = _mm512_shuffle_f32x4(u[8 + j], u[12 + j], 0xEE);
    r[j] = _mm512_shuffle_f32x4(x0, y0, 0x88);
    r[4 + j] = _mm512_shuffle_f32x4(x0, y0, 0xDD);
    r[8 + j] = _mm512_shuffle_f32x4(x1, y1, 0x88);
    r[12 + j] = _mm512_shuffle_f32x4(x1, y1, 0xDD);
  }
}

// `width` channels of one image, pixels [begin, end): from `block` (pixels x width) into the
// planes (width x pixels, `pixels` apart), and back, masked (see masked()).
void to_planes_portable(const float* block, float* planes, int64_t pixels, int64_t begin,
                        int64_t width) {
  for (int64_t p = begin; p < pixels; ++p)
    for (int64_t c = 0; c < width; ++c) planes[c * pixels + p] = block[p * width + c];
}

void from_planes_portable(const float* planes, const float* y, float* block, int64_t pixels,
                          int64_t begin, int64_t width) {
  for (int64_t p = begin; p < pixels; ++p)
    for (int64_t c = 0; c < width; ++c) {
      const int64_t at = p * width + c;
      block[at] = masked(planes[c * pixels + p], y, at);
    }
}

// The same, 16 pixels at a time.
NS_AVX512 void to_planes_avx512(const float* block, float* planes, int64_t pixels) {
  int64_t p = 0;
  for (; p + kTapBlock <= pixels; p += kTapBlock) {
    __m512 r[kTapBlock];
    for (int64_t j = 0; j < kTapBlock; ++j) r[j] = _mm512_loadu_ps(block + (p + j) * kTapBlock);
    transpose16(r);
    for (int64_t c = 0; c < kTapBlock; ++c) _mm512_storeu_ps(planes + c * pixels + p, r[c]);
  }
  to_planes_portable(block, planes, pixels, p, kTapBlock);
}

NS_AVX512 void from_planes_avx512(const float* planes, const float* y, float* block, int64_t pixels,
                                  bool stream) {
  const __m512 zero = _mm512_setzero_ps();
  int64_t p = 0;
  for (; p + kTapBlock <= pixels; p += kTapBlock) {
    __m512 r[kTapBlock];
    for (int64_t c = 0; c < kTapBlock; ++c) r[c] = _mm512_loadu_ps(planes + c * pixels + p);
    transpose16(r);
    for (int64_t j = 0; j < kTapBlock; ++j) {
      const int64_t at = (p + j) * kTapBlock;
      if (y != nullptr)
        r[j] = _mm512_maskz_mov_ps(_mm512_cmp_ps_mask(_mm512_loadu_ps(y + at), zero, _CMP_GT_OQ),
                                   r[j]);
      store16(block + at, r[j], stream);
    }
  }
  from_planes_portable(planes, y, block, pixels, p, kTapBlock);
  if (stream) _mm_sfence();
}

// mode.avx512 only with 16-channel blocks.
void to_planes(const float* block, float* planes, int64_t pixels, int64_t width, CopyMode mode) {
  if (mode.avx512) return to_planes_avx512(block, planes, pixels);
  to_planes_portable(block, planes, pixels, 0, width);
}

void from_planes(const float* planes, const float* y, float* block, int64_t pixels, int64_t width,
                 CopyMode mode) {
  if (mode.avx512) return from_planes_avx512(planes, y, block, pixels, mode.stream);
  from_planes_portable(planes, y, block, pixels, 0, width);
}

void compile_into_tap(exec::OpContext& ctx, int64_t width) {
  const Shape& out_shape = ctx.output_shape(0);
  const int64_t batch = out_shape[0], channels = out_shape[1];
  const int64_t pixels = out_shape[2] * out_shape[3];
  // One slice per image, input and block of `width` channels: where it lies in the input
  // (blocked) and in the output (plain).
  struct Slice {
    size_t input;
    int64_t image, blocked, plain;
  };
  std::vector<Slice> slices;
  int64_t offset = 0;
  for (size_t i = 0; i < ctx.num_inputs(); ++i) {
    const int64_t blocks = ctx.input_shape(i)[1] / width;
    for (int64_t b = 0; b < batch; ++b)
      for (int64_t cb = 0; cb < blocks; ++cb)
        slices.push_back({i, b, (b * blocks + cb) * pixels * width,
                          (b * channels + offset + cb * width) * pixels});
    offset += ctx.input_shape(i)[1];
  }
  std::vector<const float*> inputs;
  for (size_t i = 0; i < ctx.num_inputs(); ++i) inputs.push_back(blocked_input(ctx, i, width));
  float* out = exec::data_of(ctx.output_into_tap(0));
  write_constant_pieces_once(ctx, slices, [&](const Slice& s) {
    to_planes(inputs[s.input] + s.blocked, out + s.plain, pixels, width, CopyMode{});
  });
  CopyMode mode;
  mode.avx512 = width == kTapBlock && use_avx512_kernels();
  ctx.forward([=] {
#pragma omp parallel for schedule(static)
    for (size_t k = 0; k < slices.size(); ++k) {
      const Slice& s = slices[k];
      to_planes(inputs[s.input] + s.blocked, out + s.plain, pixels, width, mode);
    }
  });
  if (!ctx.training()) return;
  const GradientTargets t = gradient_targets(ctx, inputs);
  if (t.grads.empty()) return;
  const float* diff = exec::data_of(ctx.diff_output(0));
  const uint8_t* redirected = ctx.relu_redirect_flags();
  mode.stream =
      mode.avx512 && static_cast<size_t>(batch * channels * pixels) * sizeof(float) >= kStreamBytes;
  ctx.backward([=] {
#pragma omp parallel for schedule(static)
    for (size_t k = 0; k < slices.size(); ++k) {
      const Slice& s = slices[k];
      if (t.grads[s.input] == nullptr) continue;
      const float* y = t.masks[s.input] != nullptr && redirected[s.image] == 0
                           ? t.masks[s.input] + s.blocked
                           : nullptr;
      from_planes(diff + s.plain, y, t.grads[s.input] + s.blocked, pixels, width, mode);
    }
  });
}

void compile(exec::OpContext& ctx) {
  using namespace dnnl;
  if (const Desc planned = ctx.planned_output_desc(0); planned.data.ndims != 0)
    return compile_in_place(ctx, planned);
  const Shape& out_shape = ctx.output_shape(0);
  const int64_t axis = concat_axis(ctx.node(), out_shape);
  const int64_t block = copyable_block(ctx, axis);
  if (transposes_into_tap(block) && ctx.output_only_for_objective(0))
    return compile_into_tap(ctx, block);
  if (block != 0) return compile_by_copies(ctx, block);
  std::vector<memory> srcs;
  std::vector<Desc> descs;
  for (size_t i = 0; i < ctx.num_inputs(); ++i) {
    srcs.push_back(input_memory(ctx, i));
    descs.push_back(srcs.back().get_desc());
  }
  auto pd = exec::dnnl_call(ctx.describe(), [&] {
    return concat::primitive_desc(exec::any_desc(out_shape, descs.front().data_type()),
                                  static_cast<int>(axis), descs, ctx.engine());
  });
  memory dst = ctx.output(0, pd.dst_desc());
  std::unordered_map<int, memory> args{{DNNL_ARG_DST, dst}};
  for (size_t i = 0; i < srcs.size(); ++i)
    args[DNNL_ARG_MULTIPLE_SRC + static_cast<int>(i)] = srcs[i];
  ctx.forward(concat(pd), args);

  if (!ctx.training()) return;
  // Each input's gradient is a slice of the output's: a view when the layout allows one.
  std::vector<Shape> parts;
  for (size_t i = 0; i < ctx.num_inputs(); ++i) parts.push_back(ctx.input_shape(i));
  memory diff_dst = ctx.diff_output(0);
  std::vector<Desc> slices = axis_slices(diff_dst.get_desc(), parts, static_cast<size_t>(axis));
  if (slices.empty()) {
    diff_dst = ctx.diff_output(0, exec::plain_desc(out_shape));
    slices = axis_slices(diff_dst.get_desc(), parts, static_cast<size_t>(axis));
  }
  for (size_t i = 0; i < ctx.num_inputs(); ++i) {
    if (!ctx.needs_grad(i)) continue;
    memory slice(slices[i], ctx.engine(), diff_dst.get_data_handle());
    memory target = ctx.diff_input(i, ctx.input_desc(i));
    auto r = exec::dnnl_call(ctx.describe(), [&] { return reorder(slice, target); });
    ctx.backward(r, {{DNNL_ARG_FROM, slice}, {DNNL_ARG_TO, target}});
  }
}

}  // namespace
extern const OpSpec kConcatOp{"Concat", infer, compile};
}  // namespace neuroscope::ops
