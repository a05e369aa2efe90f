#include "ops/op_case.h"
#include "testing/graph_builder.h"

namespace neuroscope::testing {

// count_include_pad with ceil_mode adding end padding runs neuroscope's own loops (the divisor
// counts declared pads only); the other cases run oneDNN pooling.
NS_OP_CASES(AveragePool) {
  std::vector<OpCase> cases;
  auto add = [&](std::string label, Shape x,
                 std::map<std::string, graph::Attribute, std::less<>> attrs) {
    cases.push_back({.label = "AveragePool/" + label,
                     .attributes = std::move(attrs),
                     .inputs = {data("x", random_tensor(x, rng))}});
  };
  const auto k3s2 = [](std::map<std::string, graph::Attribute, std::less<>> more) {
    more["kernel_shape"] = attr_ints({3, 3});
    more["strides"] = attr_ints({2, 2});
    return more;
  };
  add("2x2_stride2", {2, 3, 8, 8},
      {{"kernel_shape", attr_ints({2, 2})}, {"strides", attr_ints({2, 2})}});
  add("3x3_pad1_exclude_pad", {1, 2, 7, 6},
      {{"kernel_shape", attr_ints({3, 3})}, {"pads", attr_ints({1, 1, 1, 1})}});
  add("3x3_pad1_include_pad", {1, 2, 7, 6},
      {{"kernel_shape", attr_ints({3, 3})},
       {"pads", attr_ints({1, 1, 1, 1})},
       {"count_include_pad", attr_int(1)}});
  add("ceil_exclude_pad", {1, 2, 8, 8}, k3s2({{"ceil_mode", attr_int(1)}}));
  add("ceil_include_pad_no_pads", {1, 2, 8, 8},
      k3s2({{"ceil_mode", attr_int(1)}, {"count_include_pad", attr_int(1)}}));
  add("ceil_include_pad_pads1", {2, 2, 8, 7},
      k3s2({{"ceil_mode", attr_int(1)},
            {"count_include_pad", attr_int(1)},
            {"pads", attr_ints({1, 0, 1, 1})}}));
  add("ceil_include_pad_1d", {1, 3, 10},
      {{"kernel_shape", attr_ints({3})},
       {"strides", attr_ints({2})},
       {"pads", attr_ints({1, 1})},
       {"ceil_mode", attr_int(1)},
       {"count_include_pad", attr_int(1)}});
  add("ceil_include_pad_3d", {1, 2, 6, 5, 4},
      {{"kernel_shape", attr_ints({2, 3, 2})},
       {"strides", attr_ints({2, 2, 3})},
       {"ceil_mode", attr_int(1)},
       {"count_include_pad", attr_int(1)}});
  add("same_lower", {1, 2, 7, 7}, k3s2({{"auto_pad", attr_string("SAME_LOWER")}}));
  add("1d", {2, 3, 9}, {{"kernel_shape", attr_ints({4})}, {"strides", attr_ints({1})}});
  return cases;
}

}  // namespace neuroscope::testing
