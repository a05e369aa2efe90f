// Gemm: Y = alpha * A' B' + beta * C, with A' = transA ? A^T : A (same for B) and C broadcast
// to [M, N]. oneDNN matmul does all products; transposes are strided views, never copies.
// Backward: dA' = alpha dY B'^T and dB' = alpha A'^T dY (when B is computed at run time).
#include "exec/plan.h"
#include "ops/op.h"

namespace neuroscope::ops {
namespace {

using dnnl::memory;
using exec::Desc;

// The [rows, cols] matrix stored row-major as [cols, rows] when `transposed`.
Desc matrix_view(int64_t rows, int64_t cols, bool transposed) {
  return transposed ? Desc({rows, cols}, memory::data_type::f32, memory::dims{1, rows})
                    : Desc({rows, cols}, memory::data_type::f32, memory::dims{cols, 1});
}

struct GemmShape {
  int64_t m, k, n;
  bool trans_a, trans_b;
};

GemmShape gemm_shape(const graph::Node& node, const Shape& a, const Shape& b) {
  if (a.size() != 2 || b.size() != 2)
    throw error(node.describe(), ": inputs have shapes ", to_string(a), " and ", to_string(b),
                "; Gemm needs matrices");
  GemmShape g{};
  g.trans_a = node.attr_int("transA", 0) != 0;
  g.trans_b = node.attr_int("transB", 0) != 0;
  g.m = g.trans_a ? a[1] : a[0];
  g.k = g.trans_a ? a[0] : a[1];
  const int64_t kb = g.trans_b ? b[1] : b[0];
  g.n = g.trans_b ? b[0] : b[1];
  if (kb != g.k)
    throw error(node.describe(), ": A' is [", g.m, ",", g.k, "] but B' is [", kb, ",", g.n,
                "]; inner dimensions differ (input ", to_string(a), ", weights ", to_string(b),
                ")");
  return g;
}

std::vector<Shape> infer(const ShapeContext& ctx) {
  const GemmShape g = gemm_shape(ctx.node(), ctx.input_shape(0), ctx.input_shape(1));
  if (ctx.has_input(2)) broadcast_shapes(ctx.node(), ctx.input_shape(2), {g.m, g.n});
  return {{g.m, g.n}};
}

dnnl::matmul::primitive_desc matmul_pd(exec::OpContext& ctx, const Desc& a, const Desc& b,
                                       const Desc& bias, const Desc& c, float alpha) {
  dnnl::primitive_attr attr;
  if (alpha != 1.0f) attr.set_output_scales(0, {alpha});
  return exec::dnnl_call(ctx.describe(), [&] {
    dnnl::matmul::desc d(a, b, bias, c);
    return dnnl::matmul::primitive_desc(d, attr, ctx.engine());
  });
}

void compile(exec::OpContext& ctx) {
  const graph::Node& node = ctx.node();
  const GemmShape g = gemm_shape(node, ctx.input_shape(0), ctx.input_shape(1));
  const float alpha = node.attr_float("alpha", 1.0f), beta = node.attr_float("beta", 1.0f);
  const bool b_constant = ctx.constant(1) != nullptr;

  const Desc a_plain = exec::plain_desc(ctx.input_shape(0));
  memory a = ctx.constant(0) ? ctx.constant_memory(0, a_plain) : ctx.input_plain(0);
  memory a_view(matrix_view(g.m, g.k, g.trans_a), ctx.engine(), a.get_data_handle());
  const Desc b_layout = matrix_view(g.k, g.n, g.trans_b);
  memory b_view;
  if (b_constant) {
    auto pd_probe = matmul_pd(ctx, a_view.get_desc(), exec::any_desc({g.k, g.n}), Desc(),
                              exec::plain_desc({g.m, g.n}), alpha);
    b_view = ctx.constant_memory(1, pd_probe.weights_desc(), b_layout);
  } else {
    b_view = memory(b_layout, ctx.engine(), ctx.input_plain(1).get_data_handle());
  }
  Desc bias_desc;
  memory bias;
  if (ctx.has_input(2) && beta != 0.0f) {
    const graph::Constant& c = ctx.require_constant(2, "C (bias)");
    // oneDNN scales the bias too (dst = alpha * (A'B' + bias)): store beta / alpha * C.
    if (alpha == 0.0f) throw error(ctx.describe(), ": alpha = 0 with a bias C is not supported");
    Shape c2 = c.shape;
    while (c2.size() < 2) c2.insert(c2.begin(), 1);
    std::vector<float> values = c.as_floats();
    for (float& v : values) v *= beta / alpha;
    bias_desc = exec::plain_desc(c2);
    bias = ctx.constant_memory(std::move(values), bias_desc, bias_desc);
  }
  memory y = ctx.output_plain(0);
  auto pd = matmul_pd(ctx, a_view.get_desc(), b_view.get_desc(), bias_desc, y.get_desc(), alpha);
  std::unordered_map<int, memory> args{
      {DNNL_ARG_SRC, a_view}, {DNNL_ARG_WEIGHTS, b_view}, {DNNL_ARG_DST, y}};
  if (bias) args[DNNL_ARG_BIAS] = bias;
  ctx.forward(dnnl::matmul(pd), args);

  if (!ctx.training()) return;
  memory dy = ctx.diff_output_plain(0);
  if (ctx.needs_grad(0)) {
    // dA' [m,k] = alpha * dY [m,n] . B'^T [n,k]
    const Desc bt_layout = matrix_view(g.n, g.k, !g.trans_b);
    memory bt;
    if (b_constant) {
      auto probe = matmul_pd(ctx, dy.get_desc(), exec::any_desc({g.n, g.k}), Desc(),
                             exec::plain_desc({g.m, g.k}), alpha);
      bt = ctx.constant_memory(1, probe.weights_desc(), bt_layout);
    } else {
      bt = memory(bt_layout, ctx.engine(), b_view.get_data_handle());
    }
    memory da = ctx.diff_input_plain(0);
    memory da_view(matrix_view(g.m, g.k, g.trans_a), ctx.engine(), da.get_data_handle());
    auto bpd = matmul_pd(ctx, dy.get_desc(), bt.get_desc(), Desc(), da_view.get_desc(), alpha);
    ctx.backward(dnnl::matmul(bpd),
                 {{DNNL_ARG_SRC, dy}, {DNNL_ARG_WEIGHTS, bt}, {DNNL_ARG_DST, da_view}});
  }
  if (ctx.needs_grad(1)) {
    // dB' [k,n] = alpha * A'^T [k,m] . dY [m,n]
    memory at(matrix_view(g.k, g.m, !g.trans_a), ctx.engine(), a.get_data_handle());
    memory db = ctx.diff_input_plain(1);
    memory db_view(matrix_view(g.k, g.n, g.trans_b), ctx.engine(), db.get_data_handle());
    auto bpd = matmul_pd(ctx, at.get_desc(), dy.get_desc(), Desc(), db_view.get_desc(), alpha);
    ctx.backward(dnnl::matmul(bpd),
                 {{DNNL_ARG_SRC, at}, {DNNL_ARG_WEIGHTS, dy}, {DNNL_ARG_DST, db_view}});
  }
}

}  // namespace
extern const OpSpec kGemmOp{"Gemm", infer, compile};
}  // namespace neuroscope::ops
