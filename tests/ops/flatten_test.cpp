#include "ops/op_case.h"
#include "testing/graph_builder.h"

namespace neuroscope::testing {

NS_OP_CASES(Flatten) {
  std::vector<OpCase> cases;
  for (int64_t axis : {1, 0, 3, -1, -3}) {
    cases.push_back({.label = "Flatten/axis" + std::string(axis < 0 ? "_minus" : "") +
                              std::to_string(axis < 0 ? -axis : axis),
                     .attributes = {{"axis", attr_int(axis)}},
                     .inputs = {data("x", random_tensor({2, 3, 4, 5}, rng))}});
  }
  cases.push_back(
      {.label = "Flatten/default_axis", .inputs = {data("x", random_tensor({3, 2, 2}, rng))}});
  return cases;
}

}  // namespace neuroscope::testing
