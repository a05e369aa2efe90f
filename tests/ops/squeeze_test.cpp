#include "ops/op_case.h"
#include "testing/graph_builder.h"

namespace neuroscope::testing {

// Axes: an input from opset 13, an attribute before.
NS_OP_CASES(Squeeze) {
  return {{.label = "Squeeze/axes_input",
           .inputs = {data("x", random_tensor({1, 3, 1, 5}, rng)), int_input("axes", {0, 2})}},
          {.label = "Squeeze/negative_axis_input",
           .inputs = {data("x", random_tensor({3, 1, 5}, rng)), int_input("axes", {-2})}},
          {.label = "Squeeze/all_ones", .inputs = {data("x", random_tensor({1, 4, 1, 2}, rng))}},
          {.label = "Squeeze/axes_attribute_opset11",
           .attributes = {{"axes", attr_ints({1})}},
           .inputs = {data("x", random_tensor({2, 1, 5}, rng))},
           .opset = 11}};
}

}  // namespace neuroscope::testing
