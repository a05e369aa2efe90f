#include "ops/matmul_rule.h"

#include "neuroscope/error.h"
#include "ops/op.h"

namespace neuroscope::ops {

MatMulDims matmul_rule(const graph::Node& node, const Shape& a, const Shape& b) {
  if (a.empty() || b.empty())
    throw error(node.describe(), ": MatMul needs inputs of rank 1 or more, got ", to_string(a),
                " and ", to_string(b));
  MatMulDims d;
  const bool a_vector = a.size() == 1, b_vector = b.size() == 1;
  d.m = a_vector ? 1 : a[a.size() - 2];
  d.k = a.back();
  const int64_t kb = b_vector ? b[0] : b[b.size() - 2];
  d.n = b_vector ? 1 : b.back();
  if (kb != d.k)
    throw error(node.describe(), ": shapes ", to_string(a), " and ", to_string(b),
                " have different inner dimensions (", d.k, " and ", kb, ")");
  d.a_batch = a_vector ? Shape{} : Shape(a.begin(), a.end() - 2);
  d.b_batch = b_vector ? Shape{} : Shape(b.begin(), b.end() - 2);
  d.batch = broadcast_shapes(node, d.a_batch, d.b_batch);
  d.a_batch.insert(d.a_batch.begin(), d.batch.size() - d.a_batch.size(), 1);
  d.b_batch.insert(d.b_batch.begin(), d.batch.size() - d.b_batch.size(), 1);
  d.output = d.batch;
  if (!a_vector) d.output.push_back(d.m);
  if (!b_vector) d.output.push_back(d.n);
  return d;
}

}  // namespace neuroscope::ops
