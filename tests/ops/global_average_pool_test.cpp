#include "ops/op_case.h"

namespace neuroscope::testing {

NS_OP_CASES(GlobalAveragePool) {
  return {
      {.label = "GlobalAveragePool/4d", .inputs = {data("x", random_tensor({2, 3, 5, 4}, rng))}},
      {.label = "GlobalAveragePool/1d", .inputs = {data("x", random_tensor({2, 3, 7}, rng))}},
      {.label = "GlobalAveragePool/3d",
       .inputs = {data("x", random_tensor({1, 2, 3, 4, 3}, rng))}}};
}

}  // namespace neuroscope::testing
