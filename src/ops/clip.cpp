// Clip: y = min(max(x, min), max). Before opset 11 the bounds are attributes, from 11 on optional
// constant scalar inputs; a missing bound is +-FLT_MAX (ONNX: numeric_limits lowest/max).
// When min > max every output is max, as ONNX specifies; its gradient is then zero.
#include <algorithm>
#include <limits>

#include "exec/plan.h"
#include "ops/eltwise.h"

namespace neuroscope::ops {
namespace {

struct Bounds {
  float lo = std::numeric_limits<float>::lowest();
  float hi = std::numeric_limits<float>::max();
};

// `bound(i)` is the constant feeding input i (nullptr when omitted); computed bounds are rejected
// by the caller's require_constant before this runs.
template <typename Context>
Bounds clip_bounds(const Context& ctx) {
  const graph::Node& node = ctx.node();
  Bounds b;
  if (ctx.opset() < 11) {
    b.lo = node.attr_float("min", b.lo);
    b.hi = node.attr_float("max", b.hi);
  } else {
    float* targets[] = {&b.lo, &b.hi};
    const char* roles[] = {"min", "max"};
    for (size_t i = 1; i <= 2; ++i) {
      if (!ctx.has_input(i)) continue;
      const graph::Constant& c = ctx.require_constant(i, roles[i - 1]);
      if (c.size() != 1)
        throw error(node.describe(), ": ", roles[i - 1], " '", node.inputs[i], "' has shape ",
                    to_string(c.shape), "; expected a scalar");
      *targets[i - 1] = static_cast<float>(c.value(0));
    }
  }
  b.lo = std::min(b.lo, b.hi);
  return b;
}

std::vector<Shape> infer(const ShapeContext& ctx) {
  clip_bounds(ctx);
  return infer_same_shape(ctx);
}

void compile(exec::OpContext& ctx) {
  const Bounds b = clip_bounds(ctx);
  compile_eltwise(ctx, {dnnl::algorithm::eltwise_clip, b.lo, b.hi, false});
}

}  // namespace
extern const OpSpec kClipOp{"Clip", infer, compile};
}  // namespace neuroscope::ops
