#include "ops/op_case.h"
#include "testing/graph_builder.h"

namespace neuroscope::testing {

NS_OP_CASES(Reshape) {
  std::vector<OpCase> cases;
  auto add = [&](std::string label, Shape x, std::vector<int64_t> target, int64_t opset = 13) {
    cases.push_back({.label = "Reshape/" + label,
                     .inputs = {data("x", random_tensor(x, rng)), int_input("shape", target)},
                     .opset = opset});
  };
  add("infer_dim", {2, 3, 4}, {4, -1});
  add("copy_dim_zero", {2, 3, 4}, {0, 12});
  add("extend_rank", {2, 3, 4}, {2, 3, 2, 2});
  add("to_1d", {2, 3, 4}, {-1});
  add("zero_and_infer_opset11", {2, 3, 4}, {0, -1, 2}, 11);
  return cases;
}

}  // namespace neuroscope::testing
