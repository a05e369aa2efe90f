#include "ops/op_case.h"
#include "testing/graph_builder.h"

namespace neuroscope::testing {

// Split sizes: an input from opset 13, the `split` attribute before; equal parts by default.
NS_OP_CASES(Split) {
  std::vector<OpCase> cases;
  auto add = [&](std::string label, std::vector<OpInput> inputs, int outputs,
                 std::map<std::string, graph::Attribute, std::less<>> attrs, int64_t opset = 13) {
    cases.push_back({.label = "Split/" + label,
                     .attributes = std::move(attrs),
                     .inputs = std::move(inputs),
                     .num_outputs = outputs,
                     .opset = opset});
  };
  add("equal_channels", {data("x", random_tensor({2, 6, 3, 3}, rng))}, 3, {{"axis", attr_int(1)}});
  add("sizes_input", {data("x", random_tensor({2, 7}, rng)), int_input("split", {2, 4, 1})}, 3,
      {{"axis", attr_int(-1)}});
  add("sizes_attribute_opset11", {data("x", random_tensor({5, 3}, rng))}, 2,
      {{"split", attr_ints({1, 4})}}, 11);
  add("default_axis_equal", {data("x", random_tensor({4, 2, 3}, rng))}, 2, {});
  add("1d", {data("x", random_tensor({6}, rng)), int_input("split", {3, 3})}, 2, {});
  return cases;
}

}  // namespace neuroscope::testing
