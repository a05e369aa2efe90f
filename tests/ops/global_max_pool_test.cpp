#include "ops/op_case.h"

namespace neuroscope::testing {

NS_OP_CASES(GlobalMaxPool) {
  return {
      {.label = "GlobalMaxPool/4d", .inputs = {data("x", distinct_tensor({2, 3, 5, 4}, rng))}},
      {.label = "GlobalMaxPool/1d", .inputs = {data("x", distinct_tensor({2, 3, 7}, rng))}},
      {.label = "GlobalMaxPool/3d", .inputs = {data("x", distinct_tensor({1, 2, 3, 4, 3}, rng))}}};
}

}  // namespace neuroscope::testing
