// Sigmoid: y = 1 / (1 + exp(-x)); its derivative y * (1 - y) is read off the output.
#include "ops/eltwise.h"

namespace neuroscope::ops {
namespace {
void compile(exec::OpContext& ctx) {
  compile_eltwise(ctx, {dnnl::algorithm::eltwise_logistic_use_dst_for_bwd, 0.0f, 0.0f, true});
}
}  // namespace
extern const OpSpec kSigmoidOp{"Sigmoid", infer_same_shape, compile};
}  // namespace neuroscope::ops
