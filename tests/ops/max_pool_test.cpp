#include "ops/op_case.h"
#include "testing/graph_builder.h"

namespace neuroscope::testing {

NS_OP_CASES(MaxPool) {
  std::vector<OpCase> cases;
  auto add = [&](std::string label, Shape x,
                 std::map<std::string, graph::Attribute, std::less<>> attrs, int64_t opset = 13) {
    cases.push_back({.label = "MaxPool/" + label,
                     .attributes = std::move(attrs),
                     .inputs = {data("x", distinct_tensor(x, rng))},
                     .opset = opset});
  };
  add("2x2_stride2", {2, 3, 8, 8},
      {{"kernel_shape", attr_ints({2, 2})}, {"strides", attr_ints({2, 2})}});
  add("3x3_stride2_pad1_ceil", {1, 2, 10, 9},
      {{"kernel_shape", attr_ints({3, 3})},
       {"strides", attr_ints({2, 2})},
       {"pads", attr_ints({1, 1, 1, 1})},
       {"ceil_mode", attr_int(1)}});
  add("3x3_stride2_ceil_no_pads", {1, 2, 8, 8},
      {{"kernel_shape", attr_ints({3, 3})},
       {"strides", attr_ints({2, 2})},
       {"ceil_mode", attr_int(1)}});
  add("dilation2", {1, 2, 9, 9},
      {{"kernel_shape", attr_ints({2, 2})}, {"dilations", attr_ints({2, 2})}});
  add("asymmetric_pads", {1, 3, 7, 6},
      {{"kernel_shape", attr_ints({3, 2})}, {"pads", attr_ints({0, 1, 2, 0})}});
  add("same_upper_stride2", {1, 2, 7, 7},
      {{"kernel_shape", attr_ints({3, 3})},
       {"strides", attr_ints({2, 2})},
       {"auto_pad", attr_string("SAME_UPPER")}});
  add("1d", {2, 3, 11}, {{"kernel_shape", attr_ints({3})}, {"strides", attr_ints({2})}});
  add("3d", {1, 2, 5, 5, 4}, {{"kernel_shape", attr_ints({2, 2, 2})}});
  add("opset10_ceil", {1, 2, 6, 6},
      {{"kernel_shape", attr_ints({3, 3})},
       {"strides", attr_ints({2, 2})},
       {"ceil_mode", attr_int(1)}},
      10);
  return cases;
}

}  // namespace neuroscope::testing
