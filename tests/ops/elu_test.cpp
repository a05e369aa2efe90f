#include "ops/op_case.h"
#include "testing/graph_builder.h"

namespace neuroscope::testing {

NS_OP_CASES(Elu) {
  return {{.label = "Elu/default_alpha",
           .inputs = {data("x", away_from_zero({2, 3, 4, 5}, rng, 0.05f, 3.0f))}},
          {.label = "Elu/alpha0.5",
           .attributes = {{"alpha", attr_float(0.5f)}},
           .inputs = {data("x", away_from_zero({3, 7}, rng, 0.05f, 3.0f))}},
          {.label = "Elu/alpha2",
           .attributes = {{"alpha", attr_float(2.0f)}},
           .inputs = {data("x", away_from_zero({1, 4, 3, 3}, rng, 0.05f, 3.0f))}}};
}

}  // namespace neuroscope::testing
