// Every operator the engine runs, one line each. A test checks that each has a reference
// implementation, a gradient check and a row in docs/ops.md.
#include "ops/op.h"

#define NS_ENGINE_OPS(X) \
  X(Conv)                \
  X(Relu)                \
  X(LeakyRelu)           \
  X(PRelu)               \
  X(Clip)                \
  X(Sigmoid)             \
  X(Tanh)                \
  X(HardSigmoid)         \
  X(HardSwish)           \
  X(Elu)                 \
  X(Softplus)            \
  X(Add)                 \
  X(Sub)                 \
  X(Mul)                 \
  X(Div)                 \
  X(BatchNormalization)  \
  X(MaxPool)             \
  X(AveragePool)         \
  X(GlobalAveragePool)   \
  X(GlobalMaxPool)       \
  X(Lrn)                 \
  X(Concat)              \
  X(Gemm)                \
  X(Flatten)             \
  X(Reshape)             \
  X(Squeeze)             \
  X(Unsqueeze)           \
  X(Softmax)             \
  X(LogSoftmax)          \
  X(MatMul)              \
  X(Transpose)           \
  X(Slice)               \
  X(Split)               \
  X(Pad)                 \
  X(ReduceMean)

namespace neuroscope::ops {

#define NS_DECLARE(name) extern const OpSpec k##name##Op;
NS_ENGINE_OPS(NS_DECLARE)
#undef NS_DECLARE

std::span<const OpSpec* const> all_ops() {
#define NS_ENTRY(name) &k##name##Op,
  static const OpSpec* const ops[] = {NS_ENGINE_OPS(NS_ENTRY)};
#undef NS_ENTRY
  return ops;
}

const OpSpec* find_op(std::string_view type) {
  for (const OpSpec* op : all_ops())
    if (op->type == type) return op;
  return nullptr;
}

}  // namespace neuroscope::ops
