#include "ops/op_case.h"

namespace neuroscope::testing {

NS_OP_CASES(MatMul) {
  std::vector<OpCase> cases;
  auto add = [&](std::string label, OpInput a, OpInput b) {
    cases.push_back({.label = "MatMul/" + label, .inputs = {std::move(a), std::move(b)}});
  };
  add("2d", data("a", random_tensor({3, 4}, rng)), data("b", random_tensor({4, 5}, rng)));
  add("batched_3d", data("a", random_tensor({2, 3, 4}, rng)),
      data("b", random_tensor({2, 4, 3}, rng)));
  add("broadcast_b_over_batch", data("a", random_tensor({2, 3, 3, 4}, rng)),
      data("b", random_tensor({4, 2}, rng)));
  add("broadcast_both", data("a", random_tensor({2, 1, 3, 4}, rng)),
      data("b", random_tensor({3, 4, 2}, rng)));
  add("vector_times_matrix", data("a", random_tensor({4}, rng)),
      data("b", random_tensor({2, 4, 3}, rng)));
  add("matrix_times_vector", data("a", random_tensor({2, 3, 4}, rng)),
      data("b", random_tensor({4}, rng)));
  add("vector_dot_vector", data("a", random_tensor({5}, rng)), data("b", random_tensor({5}, rng)));
  add("constant_weights", data("a", random_tensor({2, 3, 6}, rng)),
      weights("w", random_tensor({6, 4}, rng)));
  add("constant_batched_weights", data("a", random_tensor({2, 3, 4}, rng)),
      weights("w", random_tensor({2, 4, 3}, rng)));
  add("constant_a_broadcast", weights("a", random_tensor({3, 4}, rng)),
      data("b", random_tensor({2, 4, 5}, rng)));
  return cases;
}

}  // namespace neuroscope::testing
