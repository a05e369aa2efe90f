// Relu: y = max(x, 0).
#include "ops/eltwise.h"

namespace neuroscope::ops {
namespace {
void compile(exec::OpContext& ctx) {
  compile_eltwise(ctx, {dnnl::algorithm::eltwise_relu_use_dst_for_bwd, 0.0f, 0.0f, true});
}
}  // namespace
extern const OpSpec kReluOp{"Relu", infer_same_shape, compile};
}  // namespace neuroscope::ops
