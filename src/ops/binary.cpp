#include "ops/binary.h"

#include <algorithm>
#include <array>

#include "exec/plan.h"
#include "neuroscope/error.h"

namespace neuroscope::ops {
namespace {

using namespace dnnl;
using exec::Desc;

// ---- Element math: the forward f, and the gradient terms dy * df/da and dy * df/db. ----

struct AddMath {
  static float f(float a, float b) { return a + b; }
  static float da(float dy, float, float) { return dy; }
  static float db(float dy, float, float) { return dy; }
};
struct SubMath {
  static float f(float a, float b) { return a - b; }
  static float da(float dy, float, float) { return dy; }
  static float db(float dy, float, float) { return -dy; }
};
struct MulMath {
  static float f(float a, float b) { return a * b; }
  static float da(float dy, float, float b) { return dy * b; }
  static float db(float dy, float a, float) { return dy * a; }
};
struct DivMath {
  static float f(float a, float b) { return a / b; }
  static float da(float dy, float, float b) { return dy / b; }
  static float db(float dy, float a, float b) { return -dy * a / (b * b); }
};
// a is the input, b the slope.
struct PReluMath {
  static float f(float a, float b) { return a >= 0 ? a : a * b; }
  static float da(float dy, float a, float b) { return a >= 0 ? dy : dy * b; }
  static float db(float dy, float a, float) { return a >= 0 ? 0.0f : dy * a; }
};

// ---- Iteration spaces of the plain-layout loops. ----

constexpr int kMaxRank = 8;
enum Operand { kOut = 0, kA = 1, kB = 2 };
using Offsets = std::array<int64_t, 3>;
// Elements per task of the parallel loops: long rows are split so one row still uses every core.
constexpr int64_t kChunk = 4096;

// A row-major walk over `dims` with the element strides of the output and both inputs (0 along
// the dimensions an input is broadcast along).
struct Space {
  int rank = 0;
  std::array<int64_t, kMaxRank> dims{};
  std::array<std::array<int64_t, kMaxRank>, 3> strides{};

  void push(int64_t dim, const Offsets& s) {
    NS_CHECK(rank < kMaxRank, "broadcast of rank ", rank + 1);
    dims[static_cast<size_t>(rank)] = dim;
    for (size_t op = 0; op < 3; ++op) strides[op][static_cast<size_t>(rank)] = s[op];
    ++rank;
  }
  int64_t count() const {
    int64_t n = 1;
    for (int k = 0; k < rank; ++k) n *= dims[static_cast<size_t>(k)];
    return n;
  }
  Offsets locate(int64_t flat) const {
    Offsets o{0, 0, 0};
    for (size_t k = static_cast<size_t>(rank); k-- > 0;) {
      const int64_t coord = flat % dims[k];
      flat /= dims[k];
      for (size_t op = 0; op < 3; ++op) o[op] += coord * strides[op][k];
    }
    return o;
  }
  // The walk split into rows (all but the last dimension) and the last dimension.
  Space rows() const {
    Space s = *this;
    if (s.rank > 0) --s.rank;
    return s;
  }
  int64_t row_length() const { return rank > 0 ? dims[static_cast<size_t>(rank - 1)] : 1; }
  int64_t row_stride(Operand op) const {
    return rank > 0 ? strides[op][static_cast<size_t>(rank - 1)] : 0;
  }
  bool broadcasts(Operand op) const {
    for (int k = 0; k < rank; ++k)
      if (strides[op][static_cast<size_t>(k)] == 0) return true;
    return false;
  }
};

// Row-major strides of `s` right-aligned to rank `rank`; 0 where `s` has size 1 or no dim.
std::vector<int64_t> broadcast_strides(const Shape& s, size_t rank) {
  std::vector<int64_t> strides(rank, 0);
  int64_t stride = 1;
  for (size_t k = s.size(); k-- > 0;) {
    strides[k + rank - s.size()] = s[k] == 1 ? 0 : stride;
    stride *= s[k];
  }
  return strides;
}

// The walk over `out` reading `a` and `b`: size-1 dimensions dropped, and neighbours merged
// where every operand steps through them as through one dimension ([N,C,1,1] * [N,C,H,W]
// becomes [N*C, H*W] with strides a (1, 0), b (H*W, 1)), so inner loops are long.
Space broadcast_space(const Shape& out, const Shape& a, const Shape& b) {
  const std::array<std::vector<int64_t>, 3> strides = {broadcast_strides(out, out.size()),
                                                       broadcast_strides(a, out.size()),
                                                       broadcast_strides(b, out.size())};
  Space space;
  for (size_t k = 0; k < out.size(); ++k) {
    if (out[k] == 1) continue;
    const Offsets s{strides[0][k], strides[1][k], strides[2][k]};
    bool merge = space.rank > 0;
    const size_t last = static_cast<size_t>(space.rank - 1);
    for (size_t op = 0; op < 3 && merge; ++op) merge = space.strides[op][last] == s[op] * out[k];
    if (!merge) {
      space.push(out[k], s);
      continue;
    }
    space.dims[last] *= out[k];
    for (size_t op = 0; op < 3; ++op) space.strides[op][last] = s[op];
  }
  return space;
}

// Calls f(out, a, b offsets) for every output element, in parallel.
template <typename F>
void for_each_element(const Space& space, F f) {
  const Space rows = space.rows();
  const int64_t n = space.row_length(), sa = space.row_stride(kA), sb = space.row_stride(kB);
  const int64_t chunks = (n + kChunk - 1) / kChunk;
  const int64_t tasks = rows.count() * chunks;
#pragma omp parallel for
  for (int64_t task = 0; task < tasks; ++task) {
    const Offsets o = rows.locate(task / chunks);
    const int64_t begin = task % chunks * kChunk, end = std::min(n, begin + kChunk);
    for (int64_t k = begin; k < end; ++k) f(o[kOut] + k, o[kA] + k * sa, o[kB] + k * sb);
  }
}

// result[i] = sum of term(out, a, b offsets) over the output elements that read element i of
// operand `t` (broadcast along some dimensions). Parallel over t's elements: no write races.
template <typename Term>
void reduce_into(const Space& space, Operand t, Term term, float* result) {
  Space kept, reduced;
  for (size_t k = 0; k < static_cast<size_t>(space.rank); ++k) {
    const Offsets s{space.strides[0][k], space.strides[1][k], space.strides[2][k]};
    (s[t] != 0 ? kept : reduced).push(space.dims[k], s);
  }
  const Space rows = reduced.rows();
  const int64_t n = reduced.row_length(), row_count = rows.count();
  const Offsets step{reduced.row_stride(kOut), reduced.row_stride(kA), reduced.row_stride(kB)};
  const int64_t count = kept.count();
#pragma omp parallel for
  for (int64_t j = 0; j < count; ++j) {
    const Offsets base = kept.locate(j);
    double sum = 0;
    for (int64_t r = 0; r < row_count; ++r) {
      const Offsets o = rows.locate(r);
      const int64_t out = base[kOut] + o[kOut], a = base[kA] + o[kA], b = base[kB] + o[kB];
      for (int64_t k = 0; k < n; ++k)
        sum += term(out + k * step[kOut], a + k * step[kA], b + k * step[kB]);
    }
    result[base[t]] = static_cast<float>(sum);
  }
}

const float* operand_values(exec::OpContext& ctx, size_t i) {
  if (ctx.constant(i))
    return exec::data_of(ctx.constant_memory(i, exec::plain_desc(ctx.input_shape(i))));
  return exec::data_of(ctx.input_plain(i));
}

// The gradient of operand t: dy * df/dt, summed over the dimensions t is broadcast along.
template <typename Math, Operand t>
void add_plain_gradient(exec::OpContext& ctx, const Space& space, const float* dy, const float* a,
                        const float* b) {
  float* dt = exec::data_of(ctx.diff_input_plain(t == kA ? 0 : 1));
  auto term = [dy, a, b](int64_t out, int64_t ia, int64_t ib) {
    if constexpr (t == kA)
      return Math::da(dy[out], a[ia], b[ib]);
    else
      return Math::db(dy[out], a[ia], b[ib]);
  };
  if (space.broadcasts(t)) {
    ctx.backward([space, term, dt] { reduce_into(space, t, term, dt); });
  } else {  // t has the output's shape: its gradient is element-wise
    ctx.backward([space, term, dt] {
      for_each_element(space,
                       [&](int64_t out, int64_t ia, int64_t ib) { dt[out] = term(out, ia, ib); });
    });
  }
}

template <typename Math>
void compile_plain(exec::OpContext& ctx) {
  const Space space = broadcast_space(ctx.output_shape(0), ctx.input_shape(0), ctx.input_shape(1));
  NS_CHECK(space.rank == 0 || space.row_stride(kOut) == 1, ctx.describe());
  const float* a = operand_values(ctx, 0);
  const float* b = operand_values(ctx, 1);
  float* y = exec::data_of(ctx.output_plain(0));
  ctx.forward([space, a, b, y] {
    for_each_element(space,
                     [&](int64_t out, int64_t ia, int64_t ib) { y[out] = Math::f(a[ia], b[ib]); });
  });
  if (!ctx.training()) return;
  const float* dy = exec::data_of(ctx.diff_output_plain(0));
  if (ctx.needs_grad(0)) add_plain_gradient<Math, kA>(ctx, space, dy, a, b);
  if (ctx.needs_grad(1)) add_plain_gradient<Math, kB>(ctx, space, dy, a, b);
}

// ---- Two run-time inputs of one shape: oneDNN primitives in the first input's layout. ----

binary binary_primitive(const exec::OpContext& ctx, algorithm alg, const Desc& desc,
                        const primitive_attr& attr = primitive_attr()) {
  return exec::dnnl_call(ctx.describe(), [&] {
    return binary(binary::primitive_desc(binary::desc(alg, desc, desc, desc), attr, ctx.engine()));
  });
}

void backward_binary(exec::OpContext& ctx, algorithm alg, const memory& x0, const memory& x1,
                     const memory& dst, const primitive_attr& attr = primitive_attr()) {
  ctx.backward(binary_primitive(ctx, alg, x0.get_desc(), attr),
               {{DNNL_ARG_SRC_0, x0}, {DNNL_ARG_SRC_1, x1}, {DNNL_ARG_DST, dst}});
}

// to = scale * from (a copy when scale is 1).
void backward_scaled_copy(exec::OpContext& ctx, const memory& from, const memory& to, float scale) {
  auto pd = exec::dnnl_call(ctx.describe(), [&] {
    eltwise_forward::desc d(prop_kind::forward_inference, algorithm::eltwise_linear,
                            from.get_desc(), scale, 0.0f);
    return eltwise_forward::primitive_desc(d, ctx.engine());
  });
  ctx.backward(eltwise_forward(pd), {{DNNL_ARG_SRC, from}, {DNNL_ARG_DST, to}});
}

algorithm dnnl_algorithm(BinaryOp op) {
  switch (op) {
    case BinaryOp::kAdd:
      return algorithm::binary_add;
    case BinaryOp::kSub:
      return algorithm::binary_sub;
    case BinaryOp::kMul:
      return algorithm::binary_mul;
    case BinaryOp::kDiv:
      return algorithm::binary_div;
    case BinaryOp::kPRelu:
      break;
  }
  throw InternalError("no oneDNN binary algorithm for this op");
}

void compile_same_shape(exec::OpContext& ctx, BinaryOp op) {
  const memory a = ctx.input(0);
  const Desc desc = a.get_desc();
  const memory b = ctx.input(1, desc);
  const memory y = ctx.output(0, desc);
  ctx.forward(binary_primitive(ctx, dnnl_algorithm(op), desc),
              {{DNNL_ARG_SRC_0, a}, {DNNL_ARG_SRC_1, b}, {DNNL_ARG_DST, y}});
  if (!ctx.training()) return;
  const memory dy = ctx.diff_output(0);
  if (ctx.needs_grad(0)) {
    const memory da = ctx.diff_input(0, desc);
    if (op == BinaryOp::kMul)
      backward_binary(ctx, algorithm::binary_mul, dy, b, da);
    else if (op == BinaryOp::kDiv)
      backward_binary(ctx, algorithm::binary_div, dy, b, da);
    else
      backward_scaled_copy(ctx, dy, da, 1.0f);  // Add, Sub
  }
  if (ctx.needs_grad(1)) {
    const memory db = ctx.diff_input(1, desc);
    if (op == BinaryOp::kMul) {
      backward_binary(ctx, algorithm::binary_mul, dy, a, db);
    } else if (op == BinaryOp::kDiv) {  // db = -dy * y / b, the second step in place
      backward_binary(ctx, algorithm::binary_mul, dy, y, db);
      post_ops negate;
      negate.append_eltwise(1.0f, algorithm::eltwise_linear, -1.0f, 0.0f);
      primitive_attr attr;
      attr.set_post_ops(negate);
      backward_binary(ctx, algorithm::binary_div, db, b, db, attr);
    } else {
      backward_scaled_copy(ctx, dy, db, op == BinaryOp::kSub ? -1.0f : 1.0f);
    }
  }
}

}  // namespace

std::vector<Shape> infer_broadcast(const ShapeContext& ctx) {
  return {broadcast_shapes(ctx.node(), ctx.input_shape(0), ctx.input_shape(1))};
}

void compile_binary(exec::OpContext& ctx, BinaryOp op) {
  const bool both_runtime = !ctx.constant(0) && !ctx.constant(1);
  if (op != BinaryOp::kPRelu && both_runtime && ctx.input_shape(0) == ctx.input_shape(1))
    return compile_same_shape(ctx, op);
  switch (op) {
    case BinaryOp::kAdd:
      return compile_plain<AddMath>(ctx);
    case BinaryOp::kSub:
      return compile_plain<SubMath>(ctx);
    case BinaryOp::kMul:
      return compile_plain<MulMath>(ctx);
    case BinaryOp::kDiv:
      return compile_plain<DivMath>(ctx);
    case BinaryOp::kPRelu:
      return compile_plain<PReluMath>(ctx);
  }
}

}  // namespace neuroscope::ops
