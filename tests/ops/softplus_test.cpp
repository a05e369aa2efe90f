#include "ops/op_case.h"

namespace neuroscope::testing {

NS_OP_CASES(Softplus) {
  return {{.label = "Softplus/4d", .inputs = {data("x", random_tensor({2, 3, 4, 5}, rng, -4, 4))}},
          {.label = "Softplus/2d_wide_range",
           .inputs = {data("x", random_tensor({3, 9}, rng, -25, 25))}}};
}

}  // namespace neuroscope::testing
