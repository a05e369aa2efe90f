#include "ops/binary_cases.h"

namespace neuroscope::testing {

NS_OP_CASES(Div) {
  return broadcasting_cases("Div", rng, /*b_is_divisor=*/true);
}

}  // namespace neuroscope::testing
