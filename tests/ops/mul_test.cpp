#include "ops/binary_cases.h"

namespace neuroscope::testing {

NS_OP_CASES(Mul) {
  return broadcasting_cases("Mul", rng);
}

}  // namespace neuroscope::testing
