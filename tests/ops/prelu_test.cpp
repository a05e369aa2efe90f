#include "ops/op_case.h"

namespace neuroscope::testing {

NS_OP_CASES(PRelu) {
  std::vector<OpCase> cases;
  auto add = [&](std::string label, Shape x, Shape slope, bool slope_constant) {
    Tensor s = random_tensor(slope, rng, -0.5f, 0.8f);
    cases.push_back({.label = "PRelu/" + label,
                     .inputs = {data("x", away_from_zero(x, rng)),
                                slope_constant ? weights("slope", s) : data("slope", s)}});
  };
  add("per_channel_constant", {2, 3, 4, 5}, {3, 1, 1}, true);
  add("scalar_constant", {2, 3, 4, 5}, {1}, true);
  add("last_dim_constant", {2, 3, 4, 5}, {5}, true);
  add("per_channel_computed", {2, 3, 4, 5}, {3, 1, 1}, false);
  add("same_shape_computed", {3, 4, 5}, {3, 4, 5}, false);
  add("leading_dims_computed", {2, 3, 4, 5}, {4, 5}, false);
  add("2d_per_feature", {4, 6}, {6}, true);
  return cases;
}

}  // namespace neuroscope::testing
