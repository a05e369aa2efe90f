#include "ops/op_case.h"
#include "testing/graph_builder.h"

namespace neuroscope::testing {

// Odd sizes run oneDNN's LRN, even sizes (ONNX's asymmetric window) neuroscope's own loops.
NS_OP_CASES(LRN) {
  std::vector<OpCase> cases;
  auto add = [&](std::string label, Shape x,
                 std::map<std::string, graph::Attribute, std::less<>> attrs) {
    cases.push_back({.label = "LRN/" + label,
                     .attributes = std::move(attrs),
                     .inputs = {data("x", random_tensor(x, rng, -2.0f, 2.0f))}});
  };
  add("size5_googlenet", {2, 7, 4, 5},
      {{"size", attr_int(5)}, {"alpha", attr_float(1e-2f)}, {"beta", attr_float(0.75f)}});
  add("size3_bias2", {1, 6, 3, 3},
      {{"size", attr_int(3)},
       {"alpha", attr_float(0.3f)},
       {"beta", attr_float(0.5f)},
       {"bias", attr_float(2.0f)}});
  add("size4_even", {2, 7, 3, 4},
      {{"size", attr_int(4)}, {"alpha", attr_float(0.2f)}, {"beta", attr_float(0.75f)}});
  add("size2_even_bias2", {1, 5, 4, 3},
      {{"size", attr_int(2)},
       {"alpha", attr_float(0.5f)},
       {"beta", attr_float(0.6f)},
       {"bias", attr_float(2.0f)}});
  add("size6_even_1d", {2, 9, 5}, {{"size", attr_int(6)}, {"alpha", attr_float(0.3f)}});
  return cases;
}

}  // namespace neuroscope::testing
