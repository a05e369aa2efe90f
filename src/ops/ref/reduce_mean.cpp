// Reference ReduceMean in float64.
#include "ops/reduce_rule.h"
#include "ops/ref/ref.h"

namespace neuroscope::ref {

std::vector<RefTensor> ref_ReduceMean(const graph::Node& node, int64_t opset, const RefInputs& in) {
  const RefTensor& x = need(node, in, 0);
  std::vector<int64_t> axes = node.attr_ints("axes");
  if (opset >= 18 && in.size() > 1 && in[1]) axes = ints_of(*in[1]);
  const ops::Reduction r = ops::reduce_rule(node, x.shape, axes);
  RefTensor y(r.output);
  for (int64_t i = 0; i < x.size(); ++i)
    y.v[static_cast<size_t>(broadcast_index(i, x.shape, r.kept))] += x.v[static_cast<size_t>(i)];
  for (double& v : y.v) v /= static_cast<double>(r.count);
  return {y};
}

}  // namespace neuroscope::ref
