// Reference pooling (MaxPool, AveragePool, GlobalMaxPool, GlobalAveragePool): direct loops over
// every window tap in float64, with ONNX's window rules (ops/window.h). AveragePool's divisor:
// the taps inside the input (count_include_pad = 0), or the taps inside the input and its
// declared pads (count_include_pad = 1; ceil_mode's extra end padding never counts).
#include <algorithm>
#include <cmath>
#include <limits>

#include "neuroscope/error.h"
#include "ops/ref/ref.h"
#include "ops/window.h"

namespace neuroscope::ref {
namespace {

using graph::Node;
using Outputs = std::vector<RefTensor>;

enum class Kind { kMax, kAverage };

RefTensor pool(const Node& node, const RefTensor& x, const ops::Window& win, Kind kind,
               bool count_include_pad) {
  const size_t dims = win.kernel.size();
  Shape out_shape = {x.shape[0], x.shape[1]};
  out_shape.insert(out_shape.end(), win.output.begin(), win.output.end());
  RefTensor y(out_shape);
  int64_t in_positions = 1, out_positions = 1, taps = 1;
  for (size_t d = 0; d < dims; ++d) {
    in_positions *= x.shape[d + 2];
    out_positions *= win.output[d];
    taps *= win.kernel[d];
  }
  const auto in_strides = strides_of(Shape(x.shape.begin() + 2, x.shape.end()));
  std::vector<int64_t> pos(dims);
  for (int64_t plane = 0; plane < x.shape[0] * x.shape[1]; ++plane)
    for (int64_t p = 0; p < out_positions; ++p) {
      for (size_t d = dims, rem = static_cast<size_t>(p); d-- > 0;) {
        pos[d] = static_cast<int64_t>(rem % static_cast<size_t>(win.output[d]));
        rem /= static_cast<size_t>(win.output[d]);
      }
      double acc = kind == Kind::kMax ? -std::numeric_limits<double>::infinity() : 0.0;
      int64_t inside = 0, counted = 0;
      for (int64_t t = 0; t < taps; ++t) {
        int64_t rem = t, index = 0;
        bool in_input = true, in_declared = true;
        for (size_t d = dims; d-- > 0;) {
          const int64_t tap = rem % win.kernel[d];
          rem /= win.kernel[d];
          const int64_t c = pos[d] * win.strides[d] + tap * win.dilations[d] - win.pad_begin[d];
          const int64_t extent = x.shape[d + 2];
          in_input &= c >= 0 && c < extent;
          in_declared &= c >= -win.pad_begin[d] && c < extent + win.pad_end[d];
          index += c * in_strides[d];
        }
        counted += in_declared ? 1 : 0;
        if (!in_input) continue;
        ++inside;
        const double v = x.v[static_cast<size_t>(plane * in_positions + index)];
        acc = kind == Kind::kMax ? std::max(acc, v) : acc + v;
      }
      if (kind == Kind::kAverage) {
        const int64_t divisor = count_include_pad ? counted : inside;
        if (divisor == 0) throw error(node.describe(), ": a window lies entirely in the padding");
        acc /= static_cast<double>(divisor);
      }
      y.v[static_cast<size_t>(plane * out_positions + p)] = acc;
    }
  return y;
}

ops::Window windowed(const Node& node, const RefTensor& x) {
  if (!node.has_attr("kernel_shape"))
    throw error(node.describe(), ": the kernel_shape attribute is required");
  return ops::resolve_window(node, x.shape, node.attr_ints("kernel_shape"), true);
}

ops::Window whole(const Node& node, const RefTensor& x) {
  if (x.rank() < 3)
    throw error(node.describe(), ": input has shape ", to_string(x.shape),
                "; expected [N,C,spatial...]");
  ops::Window w;
  w.kernel.assign(x.shape.begin() + 2, x.shape.end());
  const size_t dims = w.kernel.size();
  w.strides = w.dilations = std::vector<int64_t>(dims, 1);
  w.pad_begin = w.pad_end = w.pad_end_effective = std::vector<int64_t>(dims, 0);
  w.output.assign(dims, 1);
  return w;
}

}  // namespace

Outputs ref_MaxPool(const Node& node, int64_t, const RefInputs& in) {
  const RefTensor& x = need(node, in, 0);
  if (node.outputs.size() > 1 && !node.outputs[1].empty())
    throw error(node.describe(), ": the Indices output is not supported");
  return {pool(node, x, windowed(node, x), Kind::kMax, false)};
}

Outputs ref_AveragePool(const Node& node, int64_t, const RefInputs& in) {
  const RefTensor& x = need(node, in, 0);
  const bool include_pad = node.attr_int("count_include_pad", 0) != 0;
  return {pool(node, x, windowed(node, x), Kind::kAverage, include_pad)};
}

Outputs ref_GlobalMaxPool(const Node& node, int64_t, const RefInputs& in) {
  const RefTensor& x = need(node, in, 0);
  return {pool(node, x, whole(node, x), Kind::kMax, false)};
}

Outputs ref_GlobalAveragePool(const Node& node, int64_t, const RefInputs& in) {
  const RefTensor& x = need(node, in, 0);
  return {pool(node, x, whole(node, x), Kind::kAverage, false)};
}

}  // namespace neuroscope::ref
