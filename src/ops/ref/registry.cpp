// Every reference implementation, one line each.
#include "ops/ref/registry.h"

#define NS_REF_OPS(X)                                                                          \
  /* data movement and shape arithmetic (shape_ops.cpp) */                                     \
  X(Identity) X(Dropout) X(Constant) X(Shape) X(Size) X(ConstantOfShape) X(Cast) X(Reshape)     \
  X(Flatten) X(Squeeze) X(Unsqueeze) X(Concat) X(Split) X(Gather) X(Slice) X(Transpose)        \
  X(Expand) X(Range) X(Where)                                                                  \
  /* element-wise (elementwise.cpp) */                                                         \
  X(Relu) X(LeakyRelu) X(Sigmoid) X(Tanh) X(Elu) X(Softplus) X(HardSigmoid) X(HardSwish)       \
  X(Clip) X(PRelu) X(Neg) X(Abs) X(Sqrt) X(Exp) X(Log) X(Floor) X(Ceil) X(Reciprocal) X(Not)   \
  X(Add) X(Sub) X(Mul) X(Div) X(Pow) X(Equal) X(Less) X(Greater) X(Max) X(Min) X(Sum)

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
