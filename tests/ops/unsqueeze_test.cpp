#include "ops/op_case.h"
#include "testing/graph_builder.h"

namespace neuroscope::testing {

// Axes: an input from opset 13, an attribute before.
NS_OP_CASES(Unsqueeze) {
  return {{.label = "Unsqueeze/axes_input",
           .inputs = {data("x", random_tensor({3, 4}, rng)), int_input("axes", {0, 3})}},
          {.label = "Unsqueeze/unsorted_negative_axes",
           .inputs = {data("x", random_tensor({3, 4}, rng)), int_input("axes", {-1, 1})}},
          {.label = "Unsqueeze/axes_attribute_opset11",
           .attributes = {{"axes", attr_ints({1, 2})}},
           .inputs = {data("x", random_tensor({2, 5}, rng))},
           .opset = 11}};
}

}  // namespace neuroscope::testing
