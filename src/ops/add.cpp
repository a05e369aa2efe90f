// Add: y = a + b with NumPy broadcasting; each gradient is dy summed over its broadcast dims.
#include "ops/binary.h"

namespace neuroscope::ops {
namespace {
void compile(exec::OpContext& ctx) {
  compile_binary(ctx, BinaryOp::kAdd);
}
}  // namespace
extern const OpSpec kAddOp{"Add", infer_broadcast, compile};
}  // namespace neuroscope::ops
