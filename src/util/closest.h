// util/closest.h: "did you mean" suggestions for misspelt names (tensors, commands, flags).
//
//   closest_names("incep_4d", model_tensor_names, 4);  // inception_4d/... first
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace neuroscope::util {

// Up to `count` of `names` closest to `query`, best first, case-insensitive. Ranks by how few
// edits turn the query into a part of a name (so "4d/output" and "incep_4d" find
// "inception_4d/output"), then by the edit distance to the whole name.
std::vector<std::string> closest_names(std::string_view query,
                                       const std::vector<std::string>& names, size_t count);

}  // namespace neuroscope::util
