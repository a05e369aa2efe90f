// Transpose: permutes axes. One oneDNN reorder from the input, in whatever layout it arrives,
// into the output's row-major buffer seen under the input's dims with permuted strides; the
// backward is the same reorder the other way round, into the input's layout.
#include "exec/plan.h"
#include "ops/shape_rules.h"
#include "ops/view.h"

namespace neuroscope::ops {
namespace {

std::vector<Shape> infer(const ShapeContext& ctx) {
  const Shape& x = ctx.input_shape(0);
  Shape y;
  for (int64_t p : transpose_perm(ctx.node(), x.size())) y.push_back(x[static_cast<size_t>(p)]);
  return {y};
}

void compile(exec::OpContext& ctx) {
  const Shape& x_shape = ctx.input_shape(0);
  const std::vector<int64_t> perm = transpose_perm(ctx.node(), x_shape.size());
  bool identity = true;
  for (size_t k = 0; k < perm.size(); ++k) identity &= perm[k] == static_cast<int64_t>(k);
  if (identity) return compile_view(ctx);

  // Output axis k walks input axis perm[k]: so input axis perm[k] has the output's stride k.
  const std::vector<int64_t> y_strides = row_major_strides(ctx.output_shape(0));
  std::vector<int64_t> strides(perm.size());
  for (size_t k = 0; k < perm.size(); ++k) strides[static_cast<size_t>(perm[k])] = y_strides[k];
  const exec::Desc y_as_x = strided_desc(x_shape, strides);

  dnnl::memory x = ctx.input(0);
  dnnl::memory y(y_as_x, ctx.engine(), ctx.output_plain(0).get_data_handle());
  auto fwd = exec::dnnl_call(ctx.describe(), [&] { return dnnl::reorder(x, y); });
  ctx.forward(fwd, {{DNNL_ARG_FROM, x}, {DNNL_ARG_TO, y}});
  if (!ctx.needs_grad(0)) return;
  dnnl::memory dy(y_as_x, ctx.engine(), ctx.diff_output_plain(0).get_data_handle());
  dnnl::memory dx = ctx.diff_input(0, ctx.input_desc(0));
  auto bwd = exec::dnnl_call(ctx.describe(), [&] { return dnnl::reorder(dy, dx); });
  ctx.backward(bwd, {{DNNL_ARG_FROM, dy}, {DNNL_ARG_TO, dx}});
}

}  // namespace
extern const OpSpec kTransposeOp{"Transpose", infer, compile};
}  // namespace neuroscope::ops
