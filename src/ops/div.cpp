// Div: y = a / b with NumPy broadcasting (float; integer division is constant-folded only).
// Gradients dy / b and -dy * a / b^2, each summed over its input's broadcast dimensions.
#include "ops/binary.h"

namespace neuroscope::ops {
namespace {
void compile(exec::OpContext& ctx) {
  compile_binary(ctx, BinaryOp::kDiv);
}
}  // namespace
extern const OpSpec kDivOp{"Div", infer_broadcast, compile};
}  // namespace neuroscope::ops
