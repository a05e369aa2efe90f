#include "ops/op_case.h"

namespace neuroscope::testing {

NS_OP_CASES(Relu) {
  return {{.label = "Relu/4d", .inputs = {data("x", away_from_zero({2, 3, 4, 5}, rng))}},
          {.label = "Relu/2d", .inputs = {data("x", away_from_zero({3, 7}, rng))}}};
}

}  // namespace neuroscope::testing
