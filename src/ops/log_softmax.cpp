// LogSoftmax: x - log(sum(exp(x))) along an axis.
#include "ops/softmax_common.h"

namespace neuroscope::ops {
namespace {
void compile(exec::OpContext& ctx) {
  compile_softmax(ctx, dnnl::algorithm::softmax_log);
}
}  // namespace
extern const OpSpec kLogSoftmaxOp{"LogSoftmax", infer_softmax, compile};
}  // namespace neuroscope::ops
