// Every reference implementation, one line each.
#include "ops/ref/registry.h"

// One line per op. Data movement and shape arithmetic live in shape_ops.cpp, element-wise ops
// in elementwise.cpp, the rest in a file named after the op.
#define NS_REF_OPS(X) \
  X(Identity)         \
  X(Dropout)          \
  X(Constant)         \
  X(Shape)            \
  X(Size)             \
  X(ConstantOfShape)  \
  X(Cast)             \
  X(Reshape)          \
  X(Flatten)          \
  X(Squeeze)          \
  X(Unsqueeze)        \
  X(Concat)           \
  X(Split)            \
  X(Gather)           \
  X(Slice)            \
  X(Transpose)        \
  X(Expand)           \
  X(Range)            \
  X(Where)            \
  X(Relu)             \
  X(LeakyRelu)        \
  X(Sigmoid)          \
  X(Tanh)             \
  X(Elu)              \
  X(Softplus)         \
  X(HardSigmoid)      \
  X(HardSwish)        \
  X(Clip)             \
  X(PRelu)            \
  X(Neg)              \
  X(Abs)              \
  X(Sqrt)             \
  X(Exp)              \
  X(Log)              \
  X(Floor)            \
  X(Ceil)             \
  X(Reciprocal)       \
  X(Not)              \
  X(Add)              \
  X(Sub)              \
  X(Mul)              \
  X(Div)              \
  X(Pow)              \
  X(Equal)            \
  X(Less)             \
  X(Greater)          \
  X(Max)              \
  X(Min)              \
  X(Sum)              \
  X(Conv)             \
  X(MaxPool)          \
  X(AveragePool)      \
  X(GlobalMaxPool)    \
  X(GlobalAveragePool) \
  X(LRN)              \
  X(Gemm)             \
  X(MatMul)           \
  X(Softmax)          \
  X(LogSoftmax)       \
  X(Pad)              \
  X(ReduceMean)       \
  X(BatchNormalization)

namespace neuroscope::ref {

#define NS_DECLARE(name) \
  std::vector<RefTensor> ref_##name(const graph::Node&, int64_t, const RefInputs&);
NS_REF_OPS(NS_DECLARE)
#undef NS_DECLARE

std::span<const RefEntry> registry() {
#define NS_ENTRY(name) RefEntry{#name, &ref_##name},
  static const RefEntry entries[] = {NS_REF_OPS(NS_ENTRY)};
#undef NS_ENTRY
  return entries;
}

}  // namespace neuroscope::ref
