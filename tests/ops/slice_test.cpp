#include "ops/op_case.h"
#include "testing/graph_builder.h"

namespace neuroscope::testing {

NS_OP_CASES(Slice) {
  std::vector<OpCase> cases;
  auto add = [&](std::string label, Shape x, std::vector<int64_t> starts, std::vector<int64_t> ends,
                 std::vector<int64_t> axes, std::vector<int64_t> steps) {
    OpCase c{.label = "Slice/" + label};
    c.inputs = {data("x", random_tensor(x, rng)), int_input("starts", starts), int_input("ends", ends)};
    c.inputs.push_back(axes.empty() ? omitted() : int_input("axes", axes));
    if (!steps.empty()) c.inputs.push_back(int_input("steps", steps));
    cases.push_back(std::move(c));
  };
  add("channel_halves_like_chunk", {2, 8, 3, 3}, {4}, {8}, {1}, {});
  add("all_axes_default", {4, 5}, {1, 2}, {3, 5}, {}, {});
  add("negative_indices", {3, 6, 4}, {-4, 1}, {-1, 1000}, {1, 2}, {});
  add("steps", {2, 9, 7}, {0, 1}, {9, 7}, {1, 2}, {2, 3});
  add("reverse", {2, 5, 4}, {4, -1}, {-1000, 0}, {1, 2}, {-1, -2});
  add("last_axis_only", {2, 3, 10}, {2}, {9}, {-1}, {3});

  OpCase old{.label = "Slice/opset9_attributes",
             .attributes = {{"starts", attr_ints({1, 0})}, {"ends", attr_ints({3, 2})},
                            {"axes", attr_ints({0, 2})}},
             .inputs = {data("x", random_tensor({4, 3, 5}, rng))},
             .opset = 9};
  cases.push_back(std::move(old));
  return cases;
}

}  // namespace neuroscope::testing
