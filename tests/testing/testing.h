// Helpers shared by the test files: where the data is, and tensor comparisons.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "neuroscope/tensor.h"

namespace neuroscope::testing {

std::filesystem::path shared_dir();
std::filesystem::path googlenet_dir();
// Skips the current test loudly (GTEST_SKIP with the path) when the shared data is missing.
#define NS_REQUIRE_SHARED(path)                                                             \
  do {                                                                                      \
    if (!std::filesystem::exists(path))                                                     \
      GTEST_SKIP() << "SKIPPED: shared data missing: " << (path).string()                   \
                   << " (tests on the real GoogLeNet need ../shared next to the repo)";     \
  } while (0)

// max |a - b| / max |b| (0 when both are all zeros); shapes must match.
double relative_error(const Tensor& actual, const Tensor& expected);

}  // namespace neuroscope::testing
