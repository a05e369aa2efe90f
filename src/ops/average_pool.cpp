// AveragePool: windowed mean; count_include_pad chooses whether padding counts in the divisor.
#include "exec/plan.h"
#include "ops/pooling.h"

namespace neuroscope::ops {
namespace {
std::vector<Shape> infer(const ShapeContext& ctx) {
  return {pooled_shape(ctx.input_shape(0), pooling_window(ctx.node(), ctx.input_shape(0)))};
}
void compile(exec::OpContext& ctx) {
  const Window w = pooling_window(ctx.node(), ctx.input_shape(0));
  const bool include_pad = ctx.node().attr_int("count_include_pad", 0) != 0;
  if (include_pad && w.pad_end_effective != w.pad_end)
    // oneDNN would count ceil_mode's extra padding in the divisor; ONNX counts declared pads only.
    throw error(ctx.describe(), ": count_include_pad with ceil_mode adding padding is not supported");
  compile_pooling(ctx,
                  include_pad ? dnnl::algorithm::pooling_avg_include_padding
                              : dnnl::algorithm::pooling_avg_exclude_padding,
                  w);
}
}  // namespace
extern const OpSpec kAveragePoolOp{"AveragePool", infer, compile};
}  // namespace neuroscope::ops
