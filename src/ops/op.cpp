#include "ops/op.h"

#include "neuroscope/error.h"

namespace neuroscope::ops {

const Shape& ShapeContext::input_shape(size_t i) const {
  if (!has_input(i)) throw error(node_.describe(), ": required input ", i, " is missing");
  return input_shapes_.at(i);
}

const graph::Constant* ShapeContext::constant(size_t i) const {
  if (!has_input(i)) return nullptr;
  auto it = graph_.constants.find(node_.inputs[i]);
  return it == graph_.constants.end() ? nullptr : &it->second;
}

const graph::Constant& ShapeContext::require_constant(size_t i, std::string_view role) const {
  const graph::Constant* c = constant(i);
  if (!c)
    throw error(node_.describe(), ": its ", role, " (input ", i, ", '",
                has_input(i) ? node_.inputs[i] : std::string("<missing>"),
                "') must be a constant; computed ", role, " are not supported");
  return *c;
}

void ShapeContext::expect_rank(size_t i, size_t min_rank, size_t max_rank) const {
  const Shape& s = input_shape(i);
  if (s.size() < min_rank || s.size() > max_rank) {
    std::string expected = min_rank == max_rank
                               ? std::to_string(min_rank)
                               : std::to_string(min_rank) + " to " + std::to_string(max_rank);
    throw error(node_.describe(), ": input '", node_.inputs[i], "' has shape ", to_string(s),
                " (rank ", s.size(), "); expected rank ", expected);
  }
}

int64_t normalize_axis(const graph::Node& node, int64_t axis, int64_t rank) {
  if (axis < -rank || axis >= rank)
    throw error(node.describe(), ": axis ", axis, " is out of range for rank ", rank);
  return axis < 0 ? axis + rank : axis;
}

Shape broadcast_shapes(const graph::Node& node, const Shape& a, const Shape& b) {
  const size_t rank = std::max(a.size(), b.size());
  Shape out(rank);
  for (size_t k = 0; k < rank; ++k) {
    const int64_t da = k + a.size() >= rank ? a[k + a.size() - rank] : 1;
    const int64_t db = k + b.size() >= rank ? b[k + b.size() - rank] : 1;
    if (da != db && da != 1 && db != 1)
      throw error(node.describe(), ": shapes ", to_string(a), " and ", to_string(b),
                  " cannot be broadcast together");
    out[k] = da == 1 ? db : da;
  }
  return out;
}

bool is_passthrough(std::string_view type) {
  return type == "Identity" || type == "Dropout";
}

}  // namespace neuroscope::ops
