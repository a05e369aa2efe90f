// Gradient-check cases shared by the broadcasting binary ops (Add, Sub, Mul, Div): the same
// shape patterns for each op, with the second input kept away from zero where it divides.
#pragma once

#include <string>
#include <vector>

#include "ops/op_case.h"

namespace neuroscope::testing {

inline std::vector<OpCase> broadcasting_cases(const std::string& op, std::mt19937& rng,
                                              bool b_is_divisor = false) {
  std::vector<OpCase> cases;
  auto make = [&](const Shape& s) {
    return b_is_divisor ? away_from_zero(s, rng, 0.5f, 1.5f) : random_tensor(s, rng);
  };
  auto add = [&](std::string label, Shape a, bool a_constant, Shape b, bool b_constant) {
    Tensor av = random_tensor(a, rng), bv = make(b);
    cases.push_back({.label = op + "/" + label,
                     .inputs = {a_constant ? weights("a", av) : data("a", av),
                                b_constant ? weights("b", bv) : data("b", bv)}});
  };
  const Shape nchw = {2, 3, 4, 5};
  add("same_shape_computed", nchw, false, nchw, false);         // the oneDNN path
  add("same_shape_computed_2d", {7, 9}, false, {7, 9}, false);  // ... on plain layouts
  add("same_shape_constant", nchw, false, nchw, true);
  add("channel_constant", nchw, false, {3, 1, 1}, true);
  add("channel_computed", nchw, false, {3, 1, 1}, false);
  add("se_block_nc11_times_nchw", {2, 3, 1, 1}, false, nchw, false);
  add("se_block_nchw_times_nc11", nchw, false, {2, 3, 1, 1}, false);
  add("scalar_constant", nchw, false, {}, true);
  add("scalar_computed", nchw, false, {1}, false);
  add("leading_dim_broadcast", {3, 4, 5}, false, nchw, false);
  add("both_broadcast", {2, 1, 4, 1}, false, {1, 3, 1, 5}, false);
  add("constant_first", {3, 1, 1}, true, nchw, false);
  add("2d_row_vector", {4, 6}, false, {6}, false);
  add("long_rows_channel", {2, 3, 90, 60}, false, {3, 1, 1}, false);  // rows split into chunks
  add("long_rows_same_shape_constant", {1, 2, 90, 60}, false, {1, 2, 90, 60}, true);
  return cases;
}

}  // namespace neuroscope::testing
