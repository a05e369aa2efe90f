#include "ops/kink_free.h"
#include "ops/op_case.h"
#include "testing/graph_builder.h"

namespace neuroscope::testing {

// Kinks where alpha * x + beta is 0 or 1.
NS_OP_CASES(HardSigmoid) {
  return {{.label = "HardSigmoid/default",
           .inputs = {data("x", away_from_kinks({2, 3, 4, 5}, rng, -4, 4, {-2.5f, 2.5f}))}},
          {.label = "HardSigmoid/alpha0.5_beta0.25",
           .attributes = {{"alpha", attr_float(0.5f)}, {"beta", attr_float(0.25f)}},
           .inputs = {data("x", away_from_kinks({3, 11}, rng, -3, 3, {-0.5f, 1.5f}))}},
          {.label = "HardSigmoid/negative_alpha",
           .attributes = {{"alpha", attr_float(-0.4f)}, {"beta", attr_float(0.6f)}},
           .inputs = {data("x", away_from_kinks({1, 4, 5, 5}, rng, -3, 3, {1.5f, -1.0f}))}}};
}

}  // namespace neuroscope::testing
