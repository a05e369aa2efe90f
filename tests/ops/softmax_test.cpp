#include "ops/op_case.h"
#include "testing/graph_builder.h"

namespace neuroscope::testing {

// Opset 13 normalizes one axis (default -1); before, the input is coerced to 2-D at `axis`
// (default 1) and normalized over everything after it.
std::vector<OpCase> softmax_cases(const std::string& op, std::mt19937& rng) {
  std::vector<OpCase> cases;
  auto add = [&](std::string label, Shape x, std::optional<int64_t> axis, int64_t opset) {
    OpCase c{.label = op + "/" + label,
             .inputs = {data("x", random_tensor(x, rng, -3.0f, 3.0f))},
             .opset = opset};
    if (axis) c.attributes["axis"] = attr_int(*axis);
    cases.push_back(std::move(c));
  };
  add("default_axis_opset13", {2, 3, 4}, std::nullopt, 13);
  add("axis1_opset13", {2, 5, 3}, 1, 13);
  add("axis0_opset13", {4, 3}, 0, 13);
  add("classifier_2d", {2, 10}, std::nullopt, 13);
  add("coerced_default_axis_opset11", {2, 3, 2, 2}, std::nullopt, 11);
  add("coerced_axis2_opset11", {2, 3, 2, 2}, 2, 11);
  add("coerced_negative_axis_opset11", {3, 2, 4}, -2, 11);
  return cases;
}

NS_OP_CASES(Softmax) {
  return softmax_cases("Softmax", rng);
}

}  // namespace neuroscope::testing
