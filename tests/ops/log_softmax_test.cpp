#include "ops/op_case.h"

namespace neuroscope::testing {

std::vector<OpCase> softmax_cases(const std::string& op, std::mt19937& rng);  // softmax_test.cpp

NS_OP_CASES(LogSoftmax) {
  return softmax_cases("LogSoftmax", rng);
}

}  // namespace neuroscope::testing
