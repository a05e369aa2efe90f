// GlobalMaxPool: maximum over all spatial positions.
#include "exec/plan.h"
#include "ops/pooling.h"

namespace neuroscope::ops {
namespace {
std::vector<Shape> infer(const ShapeContext& ctx) {
  return {pooled_shape(ctx.input_shape(0), global_window(ctx.node(), ctx.input_shape(0)))};
}
void compile(exec::OpContext& ctx) {
  compile_pooling(ctx, dnnl::algorithm::pooling_max, global_window(ctx.node(), ctx.input_shape(0)));
}
}  // namespace
extern const OpSpec kGlobalMaxPoolOp{"GlobalMaxPool", infer, compile};
}  // namespace neuroscope::ops
