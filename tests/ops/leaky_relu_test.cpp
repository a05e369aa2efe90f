#include "ops/op_case.h"
#include "testing/graph_builder.h"

namespace neuroscope::testing {

NS_OP_CASES(LeakyRelu) {
  return {{.label = "LeakyRelu/default_alpha", .inputs = {data("x", away_from_zero({2, 3, 4, 5}, rng))}},
          {.label = "LeakyRelu/alpha0.3_2d",
           .attributes = {{"alpha", attr_float(0.3f)}},
           .inputs = {data("x", away_from_zero({3, 7}, rng))}},
          {.label = "LeakyRelu/negative_alpha",
           .attributes = {{"alpha", attr_float(-0.5f)}},
           .inputs = {data("x", away_from_zero({1, 4, 3, 3}, rng))}}};
}

}  // namespace neuroscope::testing
