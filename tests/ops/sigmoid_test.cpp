#include "ops/op_case.h"

namespace neuroscope::testing {

NS_OP_CASES(Sigmoid) {
  return {{.label = "Sigmoid/4d", .inputs = {data("x", random_tensor({2, 3, 4, 5}, rng, -4, 4))}},
          {.label = "Sigmoid/2d_saturating",
           .inputs = {data("x", random_tensor({3, 9}, rng, -12, 12))}}};
}

}  // namespace neuroscope::testing
