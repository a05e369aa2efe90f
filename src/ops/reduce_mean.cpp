// ReduceMean: the mean over some axes (all by default), keepdims or not. Plain-layout loops:
// every input element adds into its output; the backward spreads each output gradient evenly.
#include <algorithm>
#include <array>

#include "exec/plan.h"
#include "ops/reduce_rule.h"
#include "ops/view.h"

namespace neuroscope::ops {
namespace {

template <typename Context>
std::vector<int64_t> reduce_axes(const Context& ctx) {
  if (ctx.opset() >= 18 && ctx.has_input(1)) return ctx.require_constant(1, "axes").as_ints();
  return ctx.node().attr_ints("axes");
}

std::vector<Shape> infer(const ShapeContext& ctx) {
  return {reduce_rule(ctx.node(), ctx.input_shape(0), reduce_axes(ctx)).output};
}

constexpr size_t kMaxRank = 8;

// For each input element in row-major order, the offset of the output it averages into,
// computed incrementally (an odometer over the input's coordinates). f(input, output).
template <typename F>
void for_each_pair(const Shape& input, const std::vector<int64_t>& out_strides, F f) {
  const int64_t count = element_count(input);
  std::array<int64_t, kMaxRank> coord{};
  int64_t out = 0;
  for (int64_t i = 0; i < count; ++i) {
    f(i, out);
    for (size_t k = input.size(); k-- > 0;) {
      out += out_strides[k];
      if (++coord[k] < input[k]) break;
      out -= out_strides[k] * input[k];
      coord[k] = 0;
    }
  }
}

void compile(exec::OpContext& ctx) {
  const Shape x_shape = ctx.input_shape(0);
  const Reduction r = reduce_rule(ctx.node(), x_shape, reduce_axes(ctx));
  if (x_shape.size() > kMaxRank)
    throw error(ctx.describe(), ": inputs of rank above ", kMaxRank, " are not supported");
  // Output strides seen from the input's axes: 0 along reduced axes.
  std::vector<int64_t> strides = row_major_strides(r.kept);
  for (size_t k = 0; k < strides.size(); ++k)
    if (r.reduced[k]) strides[k] = 0;
  const float scale = 1.0f / static_cast<float>(r.count);
  const int64_t out_count = element_count(r.output);
  const float* x = exec::data_of(ctx.input_plain(0));
  float* y = exec::data_of(ctx.output_plain(0));
  ctx.forward([x_shape, strides, scale, out_count, x, y] {
    std::fill_n(y, out_count, 0.0f);
    for_each_pair(x_shape, strides, [&](int64_t i, int64_t o) { y[o] += x[i]; });
    for (int64_t o = 0; o < out_count; ++o) y[o] *= scale;
  });
  if (!ctx.needs_grad(0)) return;
  const float* dy = exec::data_of(ctx.diff_output_plain(0));
  float* dx = exec::data_of(ctx.diff_input_plain(0));
  ctx.backward([x_shape, strides, scale, dy, dx] {
    for_each_pair(x_shape, strides, [&](int64_t i, int64_t o) { dx[i] = dy[o] * scale; });
  });
}

}  // namespace
extern const OpSpec kReduceMeanOp{"ReduceMean", infer, compile};
}  // namespace neuroscope::ops
