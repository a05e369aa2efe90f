// Reference MatMul in float64 with NumPy semantics (ops/matmul_rule.h).
#include "ops/matmul_rule.h"
#include "ops/ref/ref.h"

namespace neuroscope::ref {

std::vector<RefTensor> ref_MatMul(const graph::Node& node, int64_t, const RefInputs& in) {
  const RefTensor& a = need(node, in, 0);
  const RefTensor& b = need(node, in, 1);
  const ops::MatMulDims d = ops::matmul_rule(node, a.shape, b.shape);
  RefTensor y(d.output, a.dtype);
  const int64_t batches = element_count(d.batch);
  for (int64_t t = 0; t < batches; ++t) {
    const int64_t a_base = broadcast_index(t, d.batch, d.a_batch) * d.m * d.k;
    const int64_t b_base = broadcast_index(t, d.batch, d.b_batch) * d.k * d.n;
    for (int64_t i = 0; i < d.m; ++i)
      for (int64_t j = 0; j < d.n; ++j) {
        double acc = 0;
        for (int64_t p = 0; p < d.k; ++p)
          acc += a.v[static_cast<size_t>(a_base + i * d.k + p)] *
                 b.v[static_cast<size_t>(b_base + p * d.n + j)];
        y.v[static_cast<size_t>((t * d.m + i) * d.n + j)] = acc;
      }
  }
  return {y};
}

}  // namespace neuroscope::ref
