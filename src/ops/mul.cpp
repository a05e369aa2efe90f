// Mul: y = a * b with NumPy broadcasting (SE blocks' [N,C,1,1] * [N,C,H,W], scalings).
// Gradients dy * b and dy * a, each summed over the dimensions its input was broadcast along.
#include "ops/binary.h"

namespace neuroscope::ops {
namespace {
void compile(exec::OpContext& ctx) {
  compile_binary(ctx, BinaryOp::kMul);
}
}  // namespace
extern const OpSpec kMulOp{"Mul", infer_broadcast, compile};
}  // namespace neuroscope::ops
