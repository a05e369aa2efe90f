// Reference Pad in float64 (modes constant, reflect, edge; negative pads crop).
#include "neuroscope/error.h"
#include "ops/pad_rule.h"
#include "ops/ref/ref.h"

namespace neuroscope::ref {

std::vector<RefTensor> ref_Pad(const graph::Node& node, int64_t opset, const RefInputs& in) {
  const RefTensor& x = need(node, in, 0);
  std::vector<int64_t> pads = opset < 11 ? node.attr_ints("pads") : ints_of(need(node, in, 1));
  double value = node.attr_float("value", 0.0f);
  if (opset >= 11 && in.size() > 2 && in[2]) {
    if (in[2]->size() != 1) throw error(node.describe(), ": constant_value must be a scalar");
    value = in[2]->v[0];
  }
  const ops::PadSpec spec = ops::pad_rule(node, x.shape, pads);
  RefTensor y(spec.output, x.dtype);
  const auto in_strides = strides_of(x.shape);
  for (int64_t flat = 0; flat < y.size(); ++flat) {
    int64_t rem = flat, src = 0;
    for (size_t k = spec.output.size(); k-- > 0;) {
      const int64_t i = ops::pad_source(spec.mode, rem % spec.output[k], spec.begin[k], x.shape[k]);
      rem /= spec.output[k];
      if (i < 0 || src < 0)
        src = -1;
      else
        src += i * in_strides[k];
    }
    y.v[static_cast<size_t>(flat)] = src < 0 ? value : x.v[static_cast<size_t>(src)];
  }
  return {y};
}

}  // namespace neuroscope::ref
