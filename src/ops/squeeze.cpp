// Squeeze: drops size-1 axes (all, or the listed ones); a view.
#include "ops/shape_rules.h"
#include "ops/view.h"

namespace neuroscope::ops {
namespace {
std::vector<Shape> infer(const ShapeContext& ctx) {
  std::vector<int64_t> axes = ctx.node().attr_ints("axes");
  if (ctx.opset() >= 13 && ctx.has_input(1)) axes = ctx.require_constant(1, "axes").as_ints();
  return {squeeze_rule(ctx.node(), ctx.input_shape(0), axes)};
}
}  // namespace
extern const OpSpec kSqueezeOp{"Squeeze", infer, compile_view};
}  // namespace neuroscope::ops
