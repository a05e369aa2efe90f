// HardSwish: y = x * clamp(x / 6 + 1/2, 0, 1) (ONNX fixes alpha = 1/6, beta = 1/2, as oneDNN).
#include "ops/eltwise.h"

namespace neuroscope::ops {
namespace {
void compile(exec::OpContext& ctx) {
  compile_eltwise(ctx, {dnnl::algorithm::eltwise_hardswish, 0.0f, 0.0f, false});
}
}  // namespace
extern const OpSpec kHardSwishOp{"HardSwish", infer_same_shape, compile};
}  // namespace neuroscope::ops
