#include "ops/eltwise.h"

#include <cstring>

#include "exec/plan.h"

namespace neuroscope::ops {

std::vector<Shape> infer_same_shape(const ShapeContext& ctx) {
  return {ctx.input_shape(0)};
}

namespace {

// Elements per image when the batch is the outermost dimension of a dense layout; 0 otherwise.
int64_t image_stride(const exec::Desc& desc) {
  const auto& d = desc.data;
  if (d.format_kind != dnnl_blocked || d.ndims < 2 || d.dims[0] < 1) return 0;
  if (d.data_type != dnnl_f32 && d.data_type != dnnl_bf16) return 0;
  const int64_t total =
      static_cast<int64_t>(desc.get_size() / exec::element_size(desc.data_type()));
  const int64_t per_image = total / d.dims[0];
  return d.format_desc.blocking.strides[0] == per_image ? per_image : 0;
}

// ReLU gradients on raw f32 or bf16 values: only signs, zeros and copies matter, so both are
// walked as their bit patterns (sign bit first).
template <typename Bits>
bool positive_bits(Bits v) {
  constexpr Bits kSign = static_cast<Bits>(Bits{1} << (sizeof(Bits) * 8 - 1));
  return !(v & kSign) && v != 0;
}

// The plain ReLU gradient of one image, in place: gx = 0 where y is not positive.
template <typename Bits>
void mask_image(const Bits* y, Bits* gx, int64_t count) {
  for (int64_t i = 0; i < count; ++i)
    if (!positive_bits(y[i])) gx[i] = 0;
}

// The redirect of one image: gx is the masked gradient, g the unmasked one.
template <typename Bits>
void redirect_image(const Bits* y, const Bits* g, Bits* gx, int64_t count) {
  constexpr Bits kSign = static_cast<Bits>(Bits{1} << (sizeof(Bits) * 8 - 1));
  for (int64_t i = 0; i < count; ++i)
    if (gx[i] & static_cast<Bits>(~kSign)) return;  // some gradient passes: nothing to redirect
  for (int64_t i = 0; i < count; ++i)
    gx[i] = positive_bits(y[i]) || positive_bits(g[i]) ? g[i] : Bits{0};
}

}  // namespace

void relu_backward(exec::OpContext& ctx, const dnnl::memory& y, const dnnl::memory& dy,
                   const dnnl::memory& dx) {
  using namespace dnnl;
  auto pd = exec::dnnl_call(ctx.describe(), [&] {
    eltwise_forward::desc fd(prop_kind::forward_training, algorithm::eltwise_relu_use_dst_for_bwd,
                             y.get_desc(), 0.0f, 0.0f);
    eltwise_forward::primitive_desc hint(fd, ctx.engine());
    eltwise_backward::desc bd(algorithm::eltwise_relu_use_dst_for_bwd, dy.get_desc(), y.get_desc(),
                              0.0f, 0.0f);
    return eltwise_backward::primitive_desc(bd, ctx.engine(), hint);
  });
  eltwise_backward masked(pd);
  std::unordered_map<int, memory> args{
      {DNNL_ARG_DIFF_DST, dy}, {DNNL_ARG_DST, y}, {DNNL_ARG_DIFF_SRC, dx}};
  const int64_t stride = image_stride(y.get_desc());
  if (stride == 0 || dy.get_desc() != y.get_desc() || dx.get_desc() != y.get_desc()) {
    ctx.backward(masked, args);  // a layout the redirect loop cannot walk: plain ReLU gradient
    return;
  }
  const int64_t batch = y.get_desc().dims()[0];
  const bool bf16 = y.get_desc().data_type() == memory::data_type::bf16;
  const size_t image_bytes =
      static_cast<size_t>(stride) * exec::element_size(y.get_desc().data_type());
  const uint8_t* flags = ctx.relu_redirect_flags();
  // In place (the gradient masked where it lies), the unmasked gradient of redirected images
  // is kept aside first; then the output's consumer may also take the mask over.
  const bool in_place = dy.get_data_handle() == dx.get_data_handle();
  const bool* downstream = in_place && !bf16 ? ctx.offer_relu_mask(0) : nullptr;
  auto* out = static_cast<const char*>(y.get_data_handle());
  auto* gx = static_cast<char*>(dx.get_data_handle());
  char* saved = in_place ? static_cast<char*>(ctx.buffer(y.get_desc()).get_data_handle()) : nullptr;
  const char* g = in_place ? saved : static_cast<const char*>(dy.get_data_handle());
  ctx.backward([=](dnnl::stream& s) {
    bool any = false;
    for (int64_t b = 0; b < batch; ++b) any |= flags[b] != 0;
    const bool masked_downstream = downstream != nullptr && *downstream;
    if (!any) {
      if (!masked_downstream) masked.execute(s, args);
      return;
    }
    if (in_place)
      for (int64_t b = 0; b < batch; ++b)
        if (flags[b]) std::memcpy(saved + b * image_bytes, gx + b * image_bytes, image_bytes);
    if (!masked_downstream) {
      masked.execute(s, args);
      s.wait();
    }
#pragma omp parallel for
    for (int64_t b = 0; b < batch; ++b) {
      if (!flags[b]) continue;
      const size_t at = static_cast<size_t>(b) * image_bytes;
      if (bf16) {
        redirect_image(reinterpret_cast<const uint16_t*>(out + at),
                       reinterpret_cast<const uint16_t*>(g + at),
                       reinterpret_cast<uint16_t*>(gx + at), stride);
      } else {
        // The consumer left these images unmasked.
        if (masked_downstream)
          mask_image(reinterpret_cast<const uint32_t*>(out + at),
                     reinterpret_cast<uint32_t*>(gx + at), stride);
        redirect_image(reinterpret_cast<const uint32_t*>(out + at),
                       reinterpret_cast<const uint32_t*>(g + at),
                       reinterpret_cast<uint32_t*>(gx + at), stride);
      }
    }
  });
}

void compile_eltwise(exec::OpContext& ctx, const EltwiseAlgorithm& f) {
  using namespace dnnl;
  memory src = ctx.input(0);
  const auto prop = ctx.training() ? prop_kind::forward_training : prop_kind::forward_inference;
  auto pd = exec::dnnl_call(ctx.describe(), [&] {
    eltwise_forward::desc d(prop, f.algorithm, src.get_desc(), f.alpha, f.beta);
    return eltwise_forward::primitive_desc(d, ctx.engine());
  });
  memory dst = ctx.output(0, pd.dst_desc());
  ctx.forward(eltwise_forward(pd), {{DNNL_ARG_SRC, src}, {DNNL_ARG_DST, dst}});
  if (!ctx.needs_grad(0)) return;

  memory data = f.backward_from_output ? dst : src;
  auto bwd_pd = exec::dnnl_call(ctx.describe(), [&] {
    eltwise_backward::desc d(f.algorithm, dst.get_desc(), data.get_desc(), f.alpha, f.beta);
    return eltwise_backward::primitive_desc(d, ctx.engine(), pd);
  });
  memory diff_dst = ctx.diff_output(0, bwd_pd.diff_dst_desc());
  memory diff_src = ctx.diff_input(0, bwd_pd.diff_src_desc());
  ctx.backward(eltwise_backward(bwd_pd),
               {{DNNL_ARG_DIFF_DST, diff_dst},
                {f.backward_from_output ? DNNL_ARG_DST : DNNL_ARG_SRC, data},
                {DNNL_ARG_DIFF_SRC, diff_src}});
}

}  // namespace neuroscope::ops
