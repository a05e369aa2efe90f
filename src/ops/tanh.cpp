// Tanh: y = tanh(x); its derivative 1 - y^2 is read off the output.
#include "ops/eltwise.h"

namespace neuroscope::ops {
namespace {
void compile(exec::OpContext& ctx) {
  compile_eltwise(ctx, {dnnl::algorithm::eltwise_tanh_use_dst_for_bwd, 0.0f, 0.0f, true});
}
}  // namespace
extern const OpSpec kTanhOp{"Tanh", infer_same_shape, compile};
}  // namespace neuroscope::ops
