#include "ops/op_case.h"
#include "testing/graph_builder.h"

namespace neuroscope::testing {

NS_OP_CASES(Gemm) {
  std::vector<OpCase> cases;
  auto add = [&](std::string label, std::vector<OpInput> inputs,
                 std::map<std::string, graph::Attribute, std::less<>> attrs = {}) {
    cases.push_back(
        {.label = "Gemm/" + label, .attributes = std::move(attrs), .inputs = std::move(inputs)});
  };
  add("fc_vector_bias",
      {data("a", random_tensor({3, 6}, rng)), weights("b", random_tensor({6, 4}, rng)),
       weights("c", random_tensor({4}, rng))});
  add("transB_classifier",
      {data("a", random_tensor({2, 7}, rng)), weights("b", random_tensor({5, 7}, rng)),
       weights("c", random_tensor({5}, rng))},
      {{"transB", attr_int(1)}});
  add("transA_alpha_beta_matrix_bias",
      {data("a", random_tensor({6, 3}, rng)), weights("b", random_tensor({6, 4}, rng)),
       weights("c", random_tensor({3, 4}, rng))},
      {{"transA", attr_int(1)}, {"alpha", attr_float(0.5f)}, {"beta", attr_float(2.0f)}});
  add("all_attributes_row_bias",
      {data("a", random_tensor({4, 3}, rng)), weights("b", random_tensor({5, 4}, rng)),
       weights("c", random_tensor({1, 5}, rng))},
      {{"transA", attr_int(1)},
       {"transB", attr_int(1)},
       {"alpha", attr_float(0.25f)},
       {"beta", attr_float(0.35f)}});
  add("column_bias",
      {data("a", random_tensor({3, 5}, rng)), weights("b", random_tensor({5, 2}, rng)),
       weights("c", random_tensor({3, 1}, rng))});
  add("scalar_bias",
      {data("a", random_tensor({2, 3}, rng)), weights("b", random_tensor({3, 4}, rng)),
       weights("c", Tensor(Shape{}, std::vector<float>{0.7f}))});
  add("no_bias",
      {data("a", random_tensor({2, 10}, rng)), weights("b", random_tensor({10, 3}, rng))});
  add("both_computed_transB",
      {data("a", random_tensor({3, 4}, rng)), data("b", random_tensor({5, 4}, rng))},
      {{"transB", attr_int(1)}, {"alpha", attr_float(1.5f)}});
  add("both_computed_transA_bias",
      {data("a", random_tensor({4, 3}, rng)), data("b", random_tensor({4, 2}, rng)),
       weights("c", random_tensor({2}, rng))},
      {{"transA", attr_int(1)}});
  add("constant_a",
      {weights("a", random_tensor({3, 4}, rng)), data("b", random_tensor({4, 2}, rng))});
  cases.back().opset = 11;
  return cases;
}

}  // namespace neuroscope::testing
