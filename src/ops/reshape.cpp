// Reshape to a constant target shape (0 copies a dimension, -1 is inferred); a view.
#include "ops/shape_rules.h"
#include "ops/view.h"

namespace neuroscope::ops {
namespace {
std::vector<Shape> infer(const ShapeContext& ctx) {
  const std::vector<int64_t> target = ctx.opset() < 5
                                          ? ctx.node().attr_ints("shape")
                                          : ctx.require_constant(1, "target shape").as_ints();
  return {reshape_rule(ctx.node(), ctx.input_shape(0), target)};
}
}  // namespace
extern const OpSpec kReshapeOp{"Reshape", infer, compile_view};
}  // namespace neuroscope::ops
