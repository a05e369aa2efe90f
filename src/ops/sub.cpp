// Sub: y = a - b with NumPy broadcasting; gradients dy and -dy, summed over broadcast dims.
#include "ops/binary.h"

namespace neuroscope::ops {
namespace {
void compile(exec::OpContext& ctx) {
  compile_binary(ctx, BinaryOp::kSub);
}
}  // namespace
extern const OpSpec kSubOp{"Sub", infer_broadcast, compile};
}  // namespace neuroscope::ops
