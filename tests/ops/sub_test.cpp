#include "ops/binary_cases.h"

namespace neuroscope::testing {

NS_OP_CASES(Sub) {
  return broadcasting_cases("Sub", rng);
}

}  // namespace neuroscope::testing
