// Softplus: y = log(1 + exp(x)) (oneDNN's soft_relu).
#include "ops/eltwise.h"

namespace neuroscope::ops {
namespace {
void compile(exec::OpContext& ctx) {
  compile_eltwise(ctx, {dnnl::algorithm::eltwise_soft_relu, 0.0f, 0.0f, false});
}
}  // namespace
extern const OpSpec kSoftplusOp{"Softplus", infer_same_shape, compile};
}  // namespace neuroscope::ops
