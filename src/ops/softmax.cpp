// Softmax: exp(x) / sum(exp(x)) along an axis.
#include "ops/softmax_common.h"

namespace neuroscope::ops {
namespace {
void compile(exec::OpContext& ctx) {
  compile_softmax(ctx, dnnl::algorithm::softmax_accurate);
}
}  // namespace
extern const OpSpec kSoftmaxOp{"Softmax", infer_softmax, compile};
}  // namespace neuroscope::ops
