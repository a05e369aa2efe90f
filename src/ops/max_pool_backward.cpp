#include "ops/max_pool_backward.h"

#include <algorithm>
#include <cstring>

#include "exec/plan.h"

namespace neuroscope::ops {
namespace {

struct PoolGeometry {
  int64_t planes;  // batch * channel blocks
  int64_t block;   // channels per block (lanes)
  int64_t height, width, out_h, out_w;
  int64_t kh, kw, sy, sx, dy, dx, pad_y, pad_x;
};

// One plane (image x channel block): dx += dy routed to each window's first maximum. Lanes are
// independent channels, so the lane loop vectorizes (masked selects, no branches).
template <int64_t kBlock>
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__)
__attribute__((target_clones("avx512f", "avx2", "default")))
#endif
void route_plane(const PoolGeometry& g, const float* x, const float* y, const float* gy, float* gx) {
  const int64_t lanes = kBlock > 0 ? kBlock : g.block;
  std::memset(gx, 0, sizeof(float) * static_cast<size_t>(g.height * g.width * lanes));
  float found[16];
  for (int64_t oy = 0; oy < g.out_h; ++oy)
    for (int64_t ox = 0; ox < g.out_w; ++ox) {
      const int64_t o = (oy * g.out_w + ox) * lanes;
      for (int64_t l = 0; l < lanes; ++l) found[l] = 0.0f;
      for (int64_t ky = 0; ky < g.kh; ++ky) {
        const int64_t iy = oy * g.sy - g.pad_y + ky * g.dy;
        if (iy < 0 || iy >= g.height) continue;
        for (int64_t kx = 0; kx < g.kw; ++kx) {
          const int64_t ix = ox * g.sx - g.pad_x + kx * g.dx;
          if (ix < 0 || ix >= g.width) continue;
          const int64_t i = (iy * g.width + ix) * lanes;
          for (int64_t l = 0; l < lanes; ++l) {
            const bool hit = found[l] == 0.0f && x[i + l] == y[o + l];
            gx[i + l] += hit ? gy[o + l] : 0.0f;
            found[l] = hit ? 1.0f : found[l];
          }
        }
      }
    }
}

}  // namespace

bool max_pool_backward_supported(const dnnl::memory::desc& src, const dnnl::memory::desc& dst) {
  const int64_t block = exec::channel_block(src);
  return block > 0 && block <= 16 && exec::channel_block(dst) == block;
}

void max_pool_backward(exec::OpContext& ctx, const Window& window, const dnnl::memory& x,
                       const dnnl::memory& y, const dnnl::memory& dy, const dnnl::memory& dx) {
  const exec::Dims in = x.get_desc().dims(), out = y.get_desc().dims();
  const int64_t block = exec::channel_block(x.get_desc());
  PoolGeometry g{};
  g.block = block;
  g.planes = in[0] * ((in[1] + block - 1) / block);
  g.height = in[2];
  g.width = in[3];
  g.out_h = out[2];
  g.out_w = out[3];
  g.kh = window.kernel[0];
  g.kw = window.kernel[1];
  g.sy = window.strides[0];
  g.sx = window.strides[1];
  g.dy = window.dilations[0];
  g.dx = window.dilations[1];
  g.pad_y = window.pad_begin[0];
  g.pad_x = window.pad_begin[1];
  const float* xs = exec::data_of(x);
  const float* ys = exec::data_of(y);
  const float* gys = exec::data_of(dy);
  float* gxs = exec::data_of(dx);
  const int64_t in_plane = g.height * g.width * block, out_plane = g.out_h * g.out_w * block;
  ctx.backward([g, xs, ys, gys, gxs, in_plane, out_plane] {
#pragma omp parallel for schedule(static)
    for (int64_t p = 0; p < g.planes; ++p) {
      const float *px = xs + p * in_plane, *py = ys + p * out_plane, *pgy = gys + p * out_plane;
      float* pgx = gxs + p * in_plane;
      if (g.block == 16) route_plane<16>(g, px, py, pgy, pgx);
      else if (g.block == 8) route_plane<8>(g, px, py, pgy, pgx);
      else route_plane<0>(g, px, py, pgy, pgx);
    }
  });
}

}  // namespace neuroscope::ops
