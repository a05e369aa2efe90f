// LeakyRelu: y = x for x >= 0, alpha * x otherwise (oneDNN's relu with a negative slope).
// The backward reads the input: the output form of oneDNN's relu needs alpha >= 0.
#include "exec/plan.h"
#include "ops/eltwise.h"

namespace neuroscope::ops {
namespace {
void compile(exec::OpContext& ctx) {
  const float alpha = ctx.node().attr_float("alpha", 0.01f);
  compile_eltwise(ctx, {dnnl::algorithm::eltwise_relu, alpha, 0.0f, false});
}
}  // namespace
extern const OpSpec kLeakyReluOp{"LeakyRelu", infer_same_shape, compile};
}  // namespace neuroscope::ops
