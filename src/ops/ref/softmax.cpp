// Reference Softmax and LogSoftmax in float64 over the [outer, along, inner] view the engine
// uses (ops/softmax_common.h): opset < 13 coerces to 2-D at `axis`, opset 13 one axis.
#include <algorithm>
#include <cmath>

#include "ops/ref/ref.h"
#include "ops/softmax_common.h"

namespace neuroscope::ref {
namespace {

RefTensor softmax(const graph::Node& node, int64_t opset, const RefTensor& x, bool log) {
  const ops::SoftmaxExtent e = ops::softmax_extent(node, opset, x.shape);
  RefTensor y(x.shape);
  for (int64_t o = 0; o < e.outer; ++o)
    for (int64_t i = 0; i < e.inner; ++i) {
      auto at = [&](int64_t a) { return static_cast<size_t>((o * e.along + a) * e.inner + i); };
      double peak = -INFINITY, sum = 0;
      for (int64_t a = 0; a < e.along; ++a) peak = std::max(peak, x.v[at(a)]);
      for (int64_t a = 0; a < e.along; ++a) sum += std::exp(x.v[at(a)] - peak);
      for (int64_t a = 0; a < e.along; ++a)
        y.v[at(a)] = log ? x.v[at(a)] - peak - std::log(sum) : std::exp(x.v[at(a)] - peak) / sum;
    }
  return y;
}

}  // namespace

std::vector<RefTensor> ref_Softmax(const graph::Node& node, int64_t opset, const RefInputs& in) {
  return {softmax(node, opset, need(node, in, 0), false)};
}

std::vector<RefTensor> ref_LogSoftmax(const graph::Node& node, int64_t opset, const RefInputs& in) {
  return {softmax(node, opset, need(node, in, 0), true)};
}

}  // namespace neuroscope::ref
