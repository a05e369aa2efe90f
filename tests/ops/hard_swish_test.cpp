#include "ops/kink_free.h"
#include "ops/op_case.h"

namespace neuroscope::testing {

// Kinks at x = -3 and x = 3; both sides of each are covered.
NS_OP_CASES(HardSwish) {
  return {{.label = "HardSwish/4d",
           .inputs = {data("x", away_from_kinks({2, 3, 4, 5}, rng, -5, 5, {-3, 3}))}},
          {.label = "HardSwish/2d",
           .inputs = {data("x", away_from_kinks({4, 9}, rng, -4, 4, {-3, 3}))}}};
}

}  // namespace neuroscope::testing
