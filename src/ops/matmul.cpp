// MatMul: NumPy matrix product with broadcast batch dimensions (ops/matmul_rule.h) on oneDNN
// matmul over the plain row-major buffers (a constant B in the layout oneDNN prefers).
// Backward: dA = dY B^T and dB = A^T dY with the transposes as strided views, summed (oneDNN
// reduction) over the batch dimensions along which that input was broadcast.
#include "exec/plan.h"
#include "ops/matmul_rule.h"
#include "ops/view.h"

namespace neuroscope::ops {
namespace {

using dnnl::memory;
using exec::Desc;

Shape matrices_shape(const Shape& batch, int64_t rows, int64_t cols) {
  Shape s = batch;
  s.push_back(rows);
  s.push_back(cols);
  return s;
}

// A row-major buffer of [batch..., rows, cols] matrices.
Desc matrices(const Shape& batch, int64_t rows, int64_t cols) {
  const Shape s = matrices_shape(batch, rows, cols);
  return strided_desc(s, row_major_strides(s));
}

// The same buffer read as its transposed matrices, [batch..., cols, rows].
Desc transposed(const Shape& batch, int64_t rows, int64_t cols) {
  std::vector<int64_t> strides = row_major_strides(matrices_shape(batch, rows, cols));
  strides[strides.size() - 2] = 1;
  strides[strides.size() - 1] = cols;
  return strided_desc(matrices_shape(batch, cols, rows), strides);
}

dnnl::matmul::primitive_desc matmul_pd(const exec::OpContext& ctx, const Desc& a, const Desc& b,
                                       const Desc& c) {
  return exec::dnnl_call(ctx.describe(), [&] {
    return dnnl::matmul::primitive_desc(dnnl::matmul::desc(a, b, c), ctx.engine());
  });
}

// Right-hand operand `rhs_layout` (a view of input 1's bytes): a constant is reordered once
// into the layout oneDNN prefers for this product, a run-time tensor is read in place.
memory rhs_operand(exec::OpContext& ctx, const Desc& lhs, const Desc& rhs_layout, const Desc& dst,
                   const memory& runtime) {
  if (!ctx.constant(1)) return memory(rhs_layout, ctx.engine(), runtime.get_data_handle());
  const exec::Dims dims = rhs_layout.dims();
  const Desc any(dims, memory::data_type::f32, memory::format_tag::any);
  return ctx.constant_memory(1, matmul_pd(ctx, lhs, any, dst).weights_desc(), rhs_layout);
}

// Writes lhs . rhs into the gradient of `input` ([input_batch..., rows, cols]), summing over
// the batch dimensions the input was broadcast along.
void gradient_product(exec::OpContext& ctx, size_t input, const memory& lhs, const memory& rhs,
                      const Shape& batch, const Shape& input_batch, int64_t rows, int64_t cols) {
  const Desc target_desc = matrices(input_batch, rows, cols);
  memory target(target_desc, ctx.engine(), ctx.diff_input_plain(input).get_data_handle());
  memory product = batch == input_batch ? target : ctx.buffer(matrices(batch, rows, cols));
  auto pd = matmul_pd(ctx, lhs.get_desc(), rhs.get_desc(), product.get_desc());
  ctx.backward(dnnl::matmul(pd),
               {{DNNL_ARG_SRC, lhs}, {DNNL_ARG_WEIGHTS, rhs}, {DNNL_ARG_DST, product}});
  if (batch == input_batch) return;
  auto sum_pd = exec::dnnl_call(ctx.describe(), [&] {
    dnnl::reduction::desc d(dnnl::algorithm::reduction_sum, product.get_desc(), target_desc, 0.0f,
                            0.0f);
    return dnnl::reduction::primitive_desc(d, ctx.engine());
  });
  ctx.backward(dnnl::reduction(sum_pd), {{DNNL_ARG_SRC, product}, {DNNL_ARG_DST, target}});
}

std::vector<Shape> infer(const ShapeContext& ctx) {
  return {matmul_rule(ctx.node(), ctx.input_shape(0), ctx.input_shape(1)).output};
}

void compile(exec::OpContext& ctx) {
  const MatMulDims d = matmul_rule(ctx.node(), ctx.input_shape(0), ctx.input_shape(1));
  const Desc a_desc = matrices(d.a_batch, d.m, d.k);
  const Desc b_desc = matrices(d.b_batch, d.k, d.n);
  const Desc y_desc = matrices(d.batch, d.m, d.n);
  memory a = ctx.constant(0) ? ctx.constant_memory(0, a_desc, a_desc)
                             : memory(a_desc, ctx.engine(), ctx.input_plain(0).get_data_handle());
  memory b_plain = ctx.constant(1) ? memory() : ctx.input_plain(1);
  memory b = rhs_operand(ctx, a_desc, b_desc, y_desc, b_plain);
  memory y(y_desc, ctx.engine(), ctx.output_plain(0).get_data_handle());
  ctx.forward(dnnl::matmul(matmul_pd(ctx, a_desc, b.get_desc(), y_desc)),
              {{DNNL_ARG_SRC, a}, {DNNL_ARG_WEIGHTS, b}, {DNNL_ARG_DST, y}});
  if (!ctx.training()) return;

  memory dy(y_desc, ctx.engine(), ctx.diff_output_plain(0).get_data_handle());
  if (ctx.needs_grad(0)) {
    // dA [batch, m, k] = dY [batch, m, n] . B^T [b_batch, n, k]
    memory bt = rhs_operand(ctx, y_desc, transposed(d.b_batch, d.k, d.n),
                            matrices(d.batch, d.m, d.k), b_plain);
    gradient_product(ctx, 0, dy, bt, d.batch, d.a_batch, d.m, d.k);
  }
  if (ctx.needs_grad(1)) {
    // dB [batch, k, n] = A^T [a_batch, k, m] . dY [batch, m, n]
    memory at(transposed(d.a_batch, d.m, d.k), ctx.engine(), a.get_data_handle());
    gradient_product(ctx, 1, at, dy, d.batch, d.b_batch, d.k, d.n);
  }
}

}  // namespace
extern const OpSpec kMatMulOp{"MatMul", infer, compile};
}  // namespace neuroscope::ops
