// Slice of a run-time tensor (constant starts/ends/axes/steps; torch exports `chunk` this
// way). Plain-layout loops: the forward gathers, the backward zeroes the input gradient and
// scatters into the same positions (they are distinct, so threads never collide).
#include <cstring>

#include "exec/plan.h"
#include "ops/shape_rules.h"
#include "ops/view.h"

namespace neuroscope::ops {
namespace {

SliceGeometry geometry(const graph::Node& node, int64_t opset, const Shape& x,
                       const graph::Constant* starts, const graph::Constant* ends,
                       const graph::Constant* axes, const graph::Constant* steps) {
  if (opset < 10)
    return slice_rule(node, x, node.attr_ints("starts"), node.attr_ints("ends"),
                      node.attr_ints("axes"), {});
  return slice_rule(node, x, starts->as_ints(), ends->as_ints(),
                    axes ? axes->as_ints() : std::vector<int64_t>{},
                    steps ? steps->as_ints() : std::vector<int64_t>{});
}

template <typename Context>
SliceGeometry geometry_of(const Context& ctx) {
  const bool inputs = ctx.opset() >= 10;
  return geometry(ctx.node(), ctx.opset(), ctx.input_shape(0),
                  inputs ? &ctx.require_constant(1, "starts") : nullptr,
                  inputs ? &ctx.require_constant(2, "ends") : nullptr,
                  inputs && ctx.has_input(3) ? &ctx.require_constant(3, "axes") : nullptr,
                  inputs && ctx.has_input(4) ? &ctx.require_constant(4, "steps") : nullptr);
}

std::vector<Shape> infer(const ShapeContext& ctx) {
  const SliceGeometry g = geometry_of(ctx);
  for (int64_t d : g.output)
    if (d == 0)
      throw error(ctx.node().describe(), ": the slice is empty (", to_string(g.output), ")");
  return {g.output};
}

// Calls f(out_offset, in_offset) for the start of every innermost row of the output; the row
// holds out.back() elements read with stride step.back() * 1 from the input.
struct SliceWalk {
  std::vector<int64_t> out_dims, in_strides, begin, step;
  int64_t rows = 1, row_length = 1, in_row_stride = 1;

  explicit SliceWalk(const Shape& x, const SliceGeometry& g)
      : out_dims(g.output), in_strides(row_major_strides(x)), begin(g.begin), step(g.step) {
    row_length = out_dims.back();
    in_row_stride = step.back();
    for (size_t k = 0; k + 1 < out_dims.size(); ++k) rows *= out_dims[k];
  }
  int64_t input_offset(int64_t row) const {
    int64_t offset = begin.back();
    for (size_t k = out_dims.size() - 1; k-- > 0;) {
      offset += (begin[k] + (row % out_dims[k]) * step[k]) * in_strides[k];
      row /= out_dims[k];
    }
    return offset;
  }
};

void compile(exec::OpContext& ctx) {
  const SliceWalk walk(ctx.input_shape(0), geometry_of(ctx));
  const float* x = exec::data_of(ctx.input_plain(0));
  float* y = exec::data_of(ctx.output_plain(0));
  ctx.forward([walk, x, y] {
#pragma omp parallel for
    for (int64_t r = 0; r < walk.rows; ++r) {
      const float* from = x + walk.input_offset(r);
      float* to = y + r * walk.row_length;
      for (int64_t i = 0; i < walk.row_length; ++i) to[i] = from[i * walk.in_row_stride];
    }
  });
  if (!ctx.needs_grad(0)) return;
  const float* dy = exec::data_of(ctx.diff_output_plain(0));
  dnnl::memory dx_mem = ctx.diff_input_plain(0);
  float* dx = exec::data_of(dx_mem);
  const size_t dx_bytes = dx_mem.get_desc().get_size();
  ctx.backward([walk, dy, dx, dx_bytes] {
    std::memset(dx, 0, dx_bytes);
#pragma omp parallel for
    for (int64_t r = 0; r < walk.rows; ++r) {
      float* to = dx + walk.input_offset(r);
      const float* from = dy + r * walk.row_length;
      for (int64_t i = 0; i < walk.row_length; ++i) to[i * walk.in_row_stride] = from[i];
    }
  });
}

}  // namespace
extern const OpSpec kSliceOp{"Slice", infer, compile};
}  // namespace neuroscope::ops
