#include "ops/op_case.h"

namespace neuroscope::testing {

NS_OP_CASES(Tanh) {
  return {
      {.label = "Tanh/4d", .inputs = {data("x", random_tensor({2, 3, 4, 5}, rng, -3, 3))}},
      {.label = "Tanh/2d_saturating", .inputs = {data("x", random_tensor({3, 9}, rng, -8, 8))}}};
}

}  // namespace neuroscope::testing
