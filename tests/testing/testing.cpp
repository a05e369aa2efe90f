#include "testing/testing.h"

#include <cmath>

namespace neuroscope::testing {

std::filesystem::path shared_dir() { return NEUROSCOPE_SHARED_DIR; }
std::filesystem::path googlenet_dir() { return shared_dir() / "models" / "googlenet"; }

double relative_error(const Tensor& actual, const Tensor& expected) {
  EXPECT_EQ(to_string(actual.shape()), to_string(expected.shape()));
  if (actual.size() != expected.size()) return INFINITY;
  double max_diff = 0, max_ref = 0;
  for (int64_t i = 0; i < actual.size(); ++i) {
    max_diff = std::max(max_diff, std::fabs(static_cast<double>(actual[i]) - expected[i]));
    max_ref = std::max(max_ref, std::fabs(static_cast<double>(expected[i])));
  }
  return max_ref == 0 ? max_diff : max_diff / max_ref;
}

}  // namespace neuroscope::testing
