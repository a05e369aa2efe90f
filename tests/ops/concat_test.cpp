#include "ops/op_case.h"
#include "testing/graph_builder.h"

namespace neuroscope::testing {

NS_OP_CASES(Concat) {
  std::vector<OpCase> cases;
  auto add = [&](std::string label, int64_t axis, std::vector<OpInput> inputs) {
    cases.push_back({.label = "Concat/" + label,
                     .attributes = {{"axis", attr_int(axis)}},
                     .inputs = std::move(inputs)});
  };
  add("channels_3_inputs", 1,
      {data("a", random_tensor({2, 3, 4, 5}, rng)), data("b", random_tensor({2, 16, 4, 5}, rng)),
       data("c", random_tensor({2, 1, 4, 5}, rng))});
  add("axis0", 0,
      {data("a", random_tensor({2, 3, 4}, rng)), data("b", random_tensor({1, 3, 4}, rng))});
  add("negative_axis", -1,
      {data("a", random_tensor({2, 3, 4}, rng)), data("b", random_tensor({2, 3, 2}, rng))});
  add("2d", 1, {data("a", random_tensor({3, 2}, rng)), data("b", random_tensor({3, 5}, rng))});
  add("with_constant", 1,
      {data("a", random_tensor({1, 2, 3, 3}, rng)), weights("w", random_tensor({1, 4, 3, 3}, rng)),
       data("b", random_tensor({1, 3, 3, 3}, rng))});
  return cases;
}

}  // namespace neuroscope::testing
