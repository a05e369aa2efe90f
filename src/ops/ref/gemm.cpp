// Reference Gemm in float64: Y = alpha * A' B' + beta * C, A' = transA ? A^T : A (same for B),
// C broadcast to [M, N].
#include "neuroscope/error.h"
#include "ops/ref/ref.h"

namespace neuroscope::ref {

std::vector<RefTensor> ref_Gemm(const graph::Node& node, int64_t, const RefInputs& in) {
  const RefTensor& a = need(node, in, 0);
  const RefTensor& b = need(node, in, 1);
  const RefTensor* c = in.size() > 2 ? in[2] : nullptr;
  if (a.rank() != 2 || b.rank() != 2)
    throw error(node.describe(), ": inputs have shapes ", to_string(a.shape), " and ",
                to_string(b.shape), "; Gemm needs matrices");
  const bool trans_a = node.attr_int("transA", 0) != 0, trans_b = node.attr_int("transB", 0) != 0;
  const double alpha = node.attr_float("alpha", 1.0f), beta = node.attr_float("beta", 1.0f);
  const int64_t m = trans_a ? a.shape[1] : a.shape[0], k = trans_a ? a.shape[0] : a.shape[1];
  const int64_t kb = trans_b ? b.shape[1] : b.shape[0], n = trans_b ? b.shape[0] : b.shape[1];
  if (k != kb) throw error(node.describe(), ": inner dimensions ", k, " and ", kb, " differ");
  const Shape out_shape = {m, n};
  if (c && broadcast(node, {out_shape, c->shape}) != out_shape)
    throw error(node.describe(), ": C of shape ", to_string(c->shape), " does not broadcast to ",
                to_string(out_shape));
  RefTensor y(out_shape);
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < n; ++j) {
      double acc = 0;
      for (int64_t p = 0; p < k; ++p)
        acc += a.v[static_cast<size_t>(trans_a ? p * m + i : i * k + p)] *
               b.v[static_cast<size_t>(trans_b ? j * k + p : p * n + j)];
      const int64_t flat = i * n + j;
      y.v[static_cast<size_t>(flat)] =
          alpha * acc +
          (c ? beta * c->v[static_cast<size_t>(broadcast_index(flat, out_shape, c->shape))] : 0.0);
    }
  return {y};
}

}  // namespace neuroscope::ref
