#include "ops/shape_rules.h"

#include <algorithm>
#include <numeric>

#include "neuroscope/error.h"
#include "ops/op.h"

namespace neuroscope::ops {

Shape reshape_rule(const graph::Node& node, const Shape& input, std::vector<int64_t> target) {
  const bool allow_zero = node.attr_int("allowzero", 0) != 0;
  const int64_t count = element_count(input);
  int64_t known = 1, infer_at = -1;
  for (size_t k = 0; k < target.size(); ++k) {
    if (target[k] == 0 && !allow_zero) {
      if (k >= input.size())
        throw error(node.describe(), ": target entry 0 at position ", k,
                    " copies a dimension that ", to_string(input), " does not have");
      target[k] = input[k];
    }
    if (target[k] == -1) {
      if (infer_at >= 0) throw error(node.describe(), ": target shape has more than one -1");
      infer_at = static_cast<int64_t>(k);
    } else if (target[k] < 0) {
      throw error(node.describe(), ": invalid target dimension ", target[k]);
    } else {
      known *= target[k];
    }
  }
  if (infer_at >= 0) {
    if (known == 0 || count % known != 0)
      throw error(node.describe(), ": cannot reshape ", to_string(input), " to ",
                  to_string(target));
    target[static_cast<size_t>(infer_at)] = count / known;
  }
  if (element_count(target) != count)
    throw error(node.describe(), ": cannot reshape ", to_string(input), " (", count,
                " elements) to ", to_string(target));
  return target;
}

Shape flatten_rule(const graph::Node& node, const Shape& input) {
  const auto rank = static_cast<int64_t>(input.size());
  int64_t axis = node.attr_int("axis", 1);
  if (axis < -rank || axis > rank)
    throw error(node.describe(), ": axis ", axis, " is out of range for rank ", rank);
  if (axis < 0) axis += rank;
  int64_t outer = 1, inner = 1;
  for (int64_t k = 0; k < rank; ++k) (k < axis ? outer : inner) *= input[static_cast<size_t>(k)];
  return {outer, inner};
}

Shape squeeze_rule(const graph::Node& node, const Shape& input, const std::vector<int64_t>& axes) {
  const auto rank = static_cast<int64_t>(input.size());
  std::vector<bool> drop(input.size(), false);
  if (axes.empty())
    for (size_t k = 0; k < input.size(); ++k) drop[k] = input[k] == 1;
  for (int64_t a : axes) {
    const auto k = static_cast<size_t>(normalize_axis(node, a, rank));
    if (input[k] != 1)
      throw error(node.describe(), ": cannot squeeze axis ", a, " of shape ", to_string(input),
                  " (its size is not 1)");
    drop[k] = true;
  }
  Shape out;
  for (size_t k = 0; k < input.size(); ++k)
    if (!drop[k]) out.push_back(input[k]);
  return out;
}

Shape unsqueeze_rule(const graph::Node& node, const Shape& input,
                     const std::vector<int64_t>& axes) {
  const auto out_rank = static_cast<int64_t>(input.size() + axes.size());
  std::vector<bool> inserted(static_cast<size_t>(out_rank), false);
  for (int64_t a : axes) {
    const auto k = static_cast<size_t>(normalize_axis(node, a, out_rank));
    if (inserted[k]) throw error(node.describe(), ": axis ", a, " is repeated");
    inserted[k] = true;
  }
  Shape out;
  size_t next = 0;
  for (size_t k = 0; k < inserted.size(); ++k) out.push_back(inserted[k] ? 1 : input[next++]);
  return out;
}

std::vector<int64_t> transpose_perm(const graph::Node& node, size_t rank) {
  std::vector<int64_t> perm = node.attr_ints("perm");
  if (perm.empty())
    for (size_t k = rank; k-- > 0;) perm.push_back(static_cast<int64_t>(k));
  std::vector<int64_t> sorted = perm, identity(rank);
  std::sort(sorted.begin(), sorted.end());
  std::iota(identity.begin(), identity.end(), 0);
  if (sorted != identity)
    throw error(node.describe(), ": perm is not a permutation of the ", rank, " axes");
  return perm;
}

int64_t split_axis(const graph::Node& node, const Shape& input) {
  return normalize_axis(node, node.attr_int("axis", 0), static_cast<int64_t>(input.size()));
}

std::vector<Shape> split_rule(const graph::Node& node, const Shape& input,
                              std::vector<int64_t> split) {
  const auto axis = static_cast<size_t>(split_axis(node, input));
  const int64_t length = input[axis];
  const auto parts = static_cast<int64_t>(node.outputs.size());
  if (split.empty()) {
    if (parts == 0 || length % parts != 0)
      throw error(node.describe(), ": axis ", axis, " of ", to_string(input),
                  " does not split into ", parts, " equal parts");
    split.assign(static_cast<size_t>(parts), length / parts);
  }
  if (static_cast<int64_t>(split.size()) != parts)
    throw error(node.describe(), ": ", split.size(), " split sizes for ", parts, " outputs");
  if (std::accumulate(split.begin(), split.end(), int64_t{0}) != length ||
      std::any_of(split.begin(), split.end(), [](int64_t s) { return s < 0; }))
    throw error(node.describe(), ": split sizes do not add up to the length ", length, " of axis ",
                axis, " of ", to_string(input));
  std::vector<Shape> shapes;
  for (int64_t s : split) {
    shapes.push_back(input);
    shapes.back()[axis] = s;
  }
  return shapes;
}

SliceGeometry slice_rule(const graph::Node& node, const Shape& input,
                         const std::vector<int64_t>& starts, const std::vector<int64_t>& ends,
                         std::vector<int64_t> axes, std::vector<int64_t> steps) {
  const auto rank = static_cast<int64_t>(input.size());
  if (axes.empty())
    for (size_t k = 0; k < starts.size(); ++k) axes.push_back(static_cast<int64_t>(k));
  if (steps.empty()) steps.assign(starts.size(), 1);
  if (ends.size() != starts.size() || axes.size() != starts.size() || steps.size() != starts.size())
    throw error(node.describe(), ": starts, ends, axes and steps differ in length");
  SliceGeometry g{input, std::vector<int64_t>(input.size(), 0),
                  std::vector<int64_t>(input.size(), 1)};
  std::vector<bool> seen(input.size(), false);
  for (size_t j = 0; j < starts.size(); ++j) {
    const auto k = static_cast<size_t>(normalize_axis(node, axes[j], rank));
    if (seen[k]) throw error(node.describe(), ": axis ", axes[j], " is sliced twice");
    seen[k] = true;
    const int64_t dim = input[k], st = steps[j];
    if (st == 0) throw error(node.describe(), ": step 0 on axis ", axes[j]);
    auto norm = [&](int64_t v) { return v < 0 ? v + dim : v; };
    int64_t b = 0, e = 0;
    if (st > 0) {
      b = std::clamp(norm(starts[j]), int64_t{0}, dim);
      e = std::clamp(norm(ends[j]), int64_t{0}, dim);
      g.output[k] = e > b ? (e - b + st - 1) / st : 0;
    } else {
      b = std::clamp(norm(starts[j]), int64_t{0}, dim - 1);
      e = std::clamp(norm(ends[j]), int64_t{-1}, dim - 1);
      g.output[k] = b > e ? (b - e - st - 1) / -st : 0;
    }
    g.begin[k] = b;
    g.step[k] = st;
  }
  return g;
}

}  // namespace neuroscope::ops
