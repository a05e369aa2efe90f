#include "ops/op_case.h"
#include "testing/graph_builder.h"

namespace neuroscope::testing {

NS_OP_CASES(Conv) {
  std::vector<OpCase> cases;
  auto add = [&](std::string label, Shape x, Shape w, bool bias,
                 std::map<std::string, graph::Attribute, std::less<>> attrs) {
    OpCase c{.label = "Conv/" + label, .attributes = std::move(attrs)};
    c.inputs = {data("x", random_tensor(x, rng)), weights("w", random_tensor(w, rng))};
    if (bias) c.inputs.push_back(weights("b", random_tensor({w[0]}, rng)));
    cases.push_back(std::move(c));
  };
  add("3x3_pad1", {2, 3, 7, 6}, {4, 3, 3, 3}, true, {{"pads", attr_ints({1, 1, 1, 1})}});
  add("stride2_asym_pads", {1, 4, 9, 8}, {5, 4, 3, 2}, true,
      {{"strides", attr_ints({2, 2})}, {"pads", attr_ints({0, 1, 2, 1})}});
  add("group2_dilation2", {1, 4, 9, 9}, {6, 2, 3, 3}, false,
      {{"group", attr_int(2)},
       {"dilations", attr_ints({2, 2})},
       {"pads", attr_ints({2, 2, 2, 2})}});
  add("depthwise", {2, 6, 8, 8}, {6, 1, 3, 3}, true,
      {{"group", attr_int(6)}, {"pads", attr_ints({1, 1, 1, 1})}});
  add("same_upper_stride2", {1, 3, 7, 7}, {4, 3, 3, 3}, false,
      {{"auto_pad", attr_string("SAME_UPPER")}, {"strides", attr_ints({2, 2})}});
  add("1x1", {2, 8, 5, 5}, {16, 8, 1, 1}, true, {});
  // Enough 2x2 output tiles (20 per image) and channels in whole blocks for our Winograd
  // kernels (conv_winograd.cpp), forward and backward.
  add("3x3_winograd", {1, 16, 10, 8}, {32, 16, 3, 3}, true, {{"pads", attr_ints({1, 1, 1, 1})}});
  // An image's 3 channels: the input gradient by stride phases (undilated) or by a matrix
  // product and col2im (dilated).
  add("rgb_7x7_stride2", {2, 3, 12, 11}, {8, 3, 7, 7}, true,
      {{"strides", attr_ints({2, 2})}, {"pads", attr_ints({3, 3, 3, 3})}});
  // Wide enough for conv_few_channels.cpp's groups of output positions between its edges, with
  // output channels that do not fill the last 8-channel block, for 1 to 4 input channels.
  add("rgb_7x7_stride2_wide", {1, 3, 16, 29}, {12, 3, 7, 7}, true,
      {{"strides", attr_ints({2, 2})}, {"pads", attr_ints({3, 3, 3, 3})}});
  add("gray_5x5_strides_3_2", {2, 1, 26, 37}, {16, 1, 5, 5}, false,
      {{"strides", attr_ints({3, 2})}, {"pads", attr_ints({2, 1, 1, 2})}});
  add("two_channels_3x3", {1, 2, 20, 23}, {8, 2, 3, 3}, true, {{"pads", attr_ints({1, 1, 1, 1})}});
  add("four_channels_4x4_stride2", {1, 4, 21, 24}, {12, 4, 4, 4}, false,
      {{"strides", attr_ints({2, 2})}, {"pads", attr_ints({1, 2, 2, 1})}});
  add("rgb_dilated", {1, 3, 9, 9}, {4, 3, 3, 3}, false,
      {{"dilations", attr_ints({2, 2})}, {"pads", attr_ints({1, 2, 1, 2})}});
  add("1d", {2, 3, 11}, {4, 3, 3}, true, {{"pads", attr_ints({1, 1})}});
  return cases;
}

}  // namespace neuroscope::testing
