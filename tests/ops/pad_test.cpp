#include "ops/op_case.h"
#include "testing/graph_builder.h"

namespace neuroscope::testing {

// Pads and the fill value: constant inputs from opset 11, attributes before.
NS_OP_CASES(Pad) {
  std::vector<OpCase> cases;
  auto add = [&](std::string label, Shape x, std::vector<int64_t> pads, std::string mode,
                 std::optional<float> value = std::nullopt) {
    OpCase c{.label = "Pad/" + label,
             .attributes = {{"mode", attr_string(mode)}},
             .inputs = {data("x", random_tensor(x, rng)), int_input("pads", pads)}};
    if (value) c.inputs.push_back(weights("value", Tensor(Shape{}, std::vector<float>{*value})));
    cases.push_back(std::move(c));
  };
  add("constant_spatial", {1, 2, 4, 5}, {0, 0, 1, 2, 0, 0, 2, 1}, "constant", 0.5f);
  add("constant_default_value", {2, 3}, {1, 0, 0, 2}, "constant");
  add("reflect", {1, 2, 4, 5}, {0, 0, 2, 3, 0, 0, 1, 4}, "reflect");
  add("reflect_wider_than_input", {1, 1, 3, 2}, {0, 0, 4, 3, 0, 0, 5, 2}, "reflect");
  add("edge", {1, 2, 4, 5}, {0, 0, 2, 1, 0, 0, 3, 2}, "edge");
  add("crop_and_pad", {2, 3, 5, 4}, {0, -1, 1, -2, -1, 0, -1, 2}, "constant", -1.0f);
  add("edge_1d", {7}, {3, 2}, "edge");
  cases.push_back({.label = "Pad/attributes_opset10",
                   .attributes = {{"mode", attr_string("constant")},
                                  {"pads", attr_ints({0, 1, 2, 0, 2, 1})},
                                  {"value", attr_float(1.5f)}},
                   .inputs = {data("x", random_tensor({2, 3, 2}, rng))},
                   .opset = 10});
  cases.push_back({.label = "Pad/reflect_attributes_opset10",
                   .attributes = {{"mode", attr_string("reflect")},
                                  {"pads", attr_ints({0, 0, 1, 2, 0, 0, 2, 1})}},
                   .inputs = {data("x", random_tensor({1, 2, 3, 4}, rng))},
                   .opset = 10});
  return cases;
}

}  // namespace neuroscope::testing
