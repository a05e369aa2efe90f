// Elu: y = x for x >= 0, alpha * (exp(x) - 1) otherwise.
// The backward reads the input: the output form of oneDNN's elu needs alpha >= 0.
#include "exec/plan.h"
#include "ops/eltwise.h"

namespace neuroscope::ops {
namespace {
void compile(exec::OpContext& ctx) {
  const float alpha = ctx.node().attr_float("alpha", 1.0f);
  compile_eltwise(ctx, {dnnl::algorithm::eltwise_elu, alpha, 0.0f, false});
}
}  // namespace
extern const OpSpec kEluOp{"Elu", infer_same_shape, compile};
}  // namespace neuroscope::ops
