#include "ops/pad_rule.h"

#include <algorithm>

#include "neuroscope/error.h"

namespace neuroscope::ops {

PadSpec pad_rule(const graph::Node& node, const Shape& input, const std::vector<int64_t>& pads) {
  const std::string mode = node.attr_string("mode", "constant");
  PadSpec spec;
  if (mode == "constant")
    spec.mode = PadMode::kConstant;
  else if (mode == "reflect")
    spec.mode = PadMode::kReflect;
  else if (mode == "edge")
    spec.mode = PadMode::kEdge;
  else
    throw error(node.describe(), ": unknown mode '", mode, "' (constant, reflect or edge)");
  const size_t rank = input.size();
  if (pads.size() != 2 * rank)
    throw error(node.describe(), ": ", pads.size(), " pads for an input of rank ", rank, " (shape ",
                to_string(input), "); expected ", 2 * rank);
  spec.begin.assign(pads.begin(), pads.begin() + static_cast<long>(rank));
  spec.end.assign(pads.begin() + static_cast<long>(rank), pads.end());
  for (size_t k = 0; k < rank; ++k) {
    const int64_t out = input[k] + spec.begin[k] + spec.end[k];
    if (out <= 0)
      throw error(node.describe(), ": pads crop axis ", k, " of ", to_string(input), " to nothing");
    if (spec.mode != PadMode::kConstant && (spec.begin[k] > 0 || spec.end[k] > 0) && input[k] == 0)
      throw error(node.describe(), ": ", mode, " padding of an empty axis");
    spec.output.push_back(out);
  }
  return spec;
}

int64_t pad_source(PadMode mode, int64_t out, int64_t begin, int64_t extent) {
  const int64_t i = out - begin;
  if (i >= 0 && i < extent) return i;
  switch (mode) {
    case PadMode::kConstant:
      return -1;
    case PadMode::kEdge:
      return std::clamp<int64_t>(i, 0, extent - 1);
    case PadMode::kReflect: {
      // Mirror about the first and last elements (not repeating them), as often as needed.
      if (extent == 1) return 0;
      const int64_t period = 2 * (extent - 1);
      const int64_t r = ((i % period) + period) % period;
      return r < extent ? r : period - r;
    }
  }
  return -1;
}

}  // namespace neuroscope::ops
