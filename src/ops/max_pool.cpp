// MaxPool: windowed maximum (ceil_mode, pads, dilations). Only the first output (values).
#include "exec/plan.h"
#include "ops/pooling.h"

namespace neuroscope::ops {
namespace {
void check_outputs(const graph::Node& node) {
  if (node.outputs.size() > 1 && !node.outputs[1].empty())
    throw error(node.describe(), ": the Indices output is not supported");
}
std::vector<Shape> infer(const ShapeContext& ctx) {
  check_outputs(ctx.node());
  return {pooled_shape(ctx.input_shape(0), pooling_window(ctx.node(), ctx.input_shape(0)))};
}
void compile(exec::OpContext& ctx) {
  const Window window = pooling_window(ctx.node(), ctx.input_shape(0));
  if (compile_blocked_max_pool(ctx, window)) return;
  compile_pooling(ctx, dnnl::algorithm::pooling_max, window);
}
}  // namespace
extern const OpSpec kMaxPoolOp{"MaxPool", infer, compile};
}  // namespace neuroscope::ops
