#include "ops/op_case.h"
#include "testing/graph_builder.h"

namespace neuroscope::testing {

NS_OP_CASES(ReduceMean) {
  std::vector<OpCase> cases;
  auto add = [&](std::string label, Shape x, std::optional<std::vector<int64_t>> axes,
                 std::optional<int64_t> keepdims) {
    OpCase c{.label = "ReduceMean/" + label, .inputs = {data("x", random_tensor(x, rng))}};
    if (axes) c.attributes["axes"] = attr_ints(*axes);
    if (keepdims) c.attributes["keepdims"] = attr_int(*keepdims);
    cases.push_back(std::move(c));
  };
  add("spatial_keepdims", {2, 3, 4, 5}, std::vector<int64_t>{2, 3}, std::nullopt);
  add("spatial_no_keepdims", {2, 3, 4, 5}, std::vector<int64_t>{2, 3}, 0);
  add("all_axes_default", {3, 2, 2}, std::nullopt, std::nullopt);
  add("all_axes_no_keepdims", {3, 4}, std::nullopt, 0);
  add("negative_axis", {2, 5, 3}, std::vector<int64_t>{-2}, 1);
  add("first_and_last", {3, 2, 4}, std::vector<int64_t>{0, 2}, 0);
  return cases;
}

}  // namespace neuroscope::testing
