#include "ops/reduce_rule.h"

#include "neuroscope/error.h"
#include "ops/op.h"

namespace neuroscope::ops {

Reduction reduce_rule(const graph::Node& node, const Shape& input,
                      const std::vector<int64_t>& axes) {
  const auto rank = static_cast<int64_t>(input.size());
  Reduction r;
  r.reduced.assign(input.size(), axes.empty());
  for (int64_t a : axes) {
    const auto k = static_cast<size_t>(normalize_axis(node, a, rank));
    if (r.reduced[k]) throw error(node.describe(), ": axis ", a, " is repeated");
    r.reduced[k] = true;
  }
  const bool keepdims = node.attr_int("keepdims", 1) != 0;
  for (size_t k = 0; k < input.size(); ++k) {
    r.kept.push_back(r.reduced[k] ? 1 : input[k]);
    if (r.reduced[k]) r.count *= input[k];
    if (!r.reduced[k] || keepdims) r.output.push_back(r.kept.back());
  }
  if (r.count == 0) throw error(node.describe(), ": the mean of an empty axis is undefined");
  return r;
}

}  // namespace neuroscope::ops
