#include "ops/kink_free.h"
#include "ops/op_case.h"
#include "testing/graph_builder.h"

namespace neuroscope::testing {

namespace {
OpInput scalar(std::string name, float v) {
  return weights(std::move(name), Tensor({}, {v}));
}
}  // namespace

// Values stay away from the bounds (the kinks).
NS_OP_CASES(Clip) {
  const Shape shape = {2, 3, 4, 5};
  return {
      {.label = "Clip/opset6_min_max",
       .attributes = {{"min", attr_float(-0.5f)}, {"max", attr_float(0.4f)}},
       .inputs = {data("x", away_from_kinks(shape, rng, -1, 1, {-0.5f, 0.4f}))},
       .opset = 6},
      {.label = "Clip/opset6_min_only",
       .attributes = {{"min", attr_float(0.1f)}},
       .inputs = {data("x", away_from_kinks({3, 8}, rng, -1, 1, {0.1f}))},
       .opset = 6},
      {.label = "Clip/opset13_min_max",
       .inputs = {data("x", away_from_kinks(shape, rng, -1, 1, {-0.3f, 0.6f})), scalar("lo", -0.3f),
                  scalar("hi", 0.6f)}},
      {.label = "Clip/opset13_max_only",
       .inputs = {data("x", away_from_kinks(shape, rng, -1, 1, {0.2f})), omitted(),
                  scalar("hi", 0.2f)}},
      {.label = "Clip/opset11_min_only",
       .inputs = {data("x", away_from_kinks({4, 6}, rng, -1, 1, {-0.2f})), scalar("lo", -0.2f)},
       .opset = 11},
      {.label = "Clip/opset13_no_bounds", .inputs = {data("x", random_tensor({2, 7}, rng))}},
      // ONNX: min > max sets every output to max, so the gradient is zero.
      {.label = "Clip/opset13_min_above_max",
       .inputs = {data("x", away_from_kinks({3, 5}, rng, -1, 1, {-0.2f, 0.3f})), scalar("lo", 0.3f),
                  scalar("hi", -0.2f)}},
  };
}

}  // namespace neuroscope::testing
