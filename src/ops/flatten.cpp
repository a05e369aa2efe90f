// Flatten: [d0..dn] -> [d0*..*d(axis-1), d(axis)*..*dn]; a view.
#include "ops/shape_rules.h"
#include "ops/view.h"

namespace neuroscope::ops {
namespace {
std::vector<Shape> infer(const ShapeContext& ctx) {
  return {flatten_rule(ctx.node(), ctx.input_shape(0))};
}
}  // namespace
extern const OpSpec kFlattenOp{"Flatten", infer, compile_view};
}  // namespace neuroscope::ops
