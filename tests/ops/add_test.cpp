#include "ops/binary_cases.h"

namespace neuroscope::testing {

NS_OP_CASES(Add) {
  return broadcasting_cases("Add", rng);
}

}  // namespace neuroscope::testing
