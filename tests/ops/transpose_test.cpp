#include "ops/op_case.h"
#include "testing/graph_builder.h"

namespace neuroscope::testing {

NS_OP_CASES(Transpose) {
  std::vector<OpCase> cases;
  auto add = [&](std::string label, Shape x, std::vector<int64_t> perm) {
    OpCase c{.label = "Transpose/" + label, .inputs = {data("x", random_tensor(x, rng))}};
    if (!perm.empty()) c.attributes["perm"] = attr_ints(perm);
    cases.push_back(std::move(c));
  };
  add("default_reverses", {2, 3, 4}, {});
  add("nchw_to_nhwc", {2, 3, 4, 5}, {0, 2, 3, 1});
  add("nhwc_to_nchw", {2, 4, 5, 3}, {0, 3, 1, 2});
  add("2d", {3, 7}, {1, 0});
  add("identity", {2, 3}, {0, 1});
  add("5d", {2, 1, 3, 2, 2}, {4, 2, 0, 3, 1});
  return cases;
}

}  // namespace neuroscope::testing
