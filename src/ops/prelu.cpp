// PRelu: y = x for x >= 0, slope * x otherwise. The slope broadcasts into x's shape (opset 7+:
// unidirectional broadcasting, typically [C,1,1]); it may be a constant or a run-time tensor.
#include "neuroscope/error.h"
#include "ops/binary.h"

namespace neuroscope::ops {
namespace {

std::vector<Shape> infer(const ShapeContext& ctx) {
  const Shape& x = ctx.input_shape(0);
  const Shape& slope = ctx.input_shape(1);
  if (slope.size() > x.size() || broadcast_shapes(ctx.node(), x, slope) != x)
    throw error(ctx.node().describe(), ": slope of shape ", to_string(slope),
                " does not broadcast to the input's shape ", to_string(x));
  return {x};
}

void compile(exec::OpContext& ctx) {
  compile_binary(ctx, BinaryOp::kPRelu);
}

}  // namespace
extern const OpSpec kPReluOp{"PRelu", infer, compile};
}  // namespace neuroscope::ops
