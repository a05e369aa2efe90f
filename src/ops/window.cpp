#include "ops/window.h"

#include <algorithm>

#include "neuroscope/error.h"

namespace neuroscope::ops {

Window resolve_window(const graph::Node& node, const Shape& input, std::vector<int64_t> kernel,
                      bool allow_ceil_mode) {
  if (input.size() < 3)
    throw error(node.describe(), ": input has shape ", to_string(input),
                "; expected [N, C, spatial...]");
  const size_t dims = input.size() - 2;
  Window w;
  w.kernel = std::move(kernel);
  if (w.kernel.size() != dims)
    throw error(node.describe(), ": kernel has ", w.kernel.size(), " spatial dimensions, input ",
                to_string(input), " has ", dims);
  w.strides = node.attr_ints("strides", std::vector<int64_t>(dims, 1));
  w.dilations = node.attr_ints("dilations", std::vector<int64_t>(dims, 1));
  std::vector<int64_t> pads = node.attr_ints("pads", std::vector<int64_t>(2 * dims, 0));
  if (w.strides.size() != dims || w.dilations.size() != dims || pads.size() != 2 * dims)
    throw error(node.describe(), ": strides, dilations or pads do not match ", dims,
                " spatial dimensions");
  const bool ceil_mode = node.attr_int("ceil_mode", 0) != 0;
  if (ceil_mode && !allow_ceil_mode) throw error(node.describe(), ": ceil_mode is not allowed");
  const std::string auto_pad = node.attr_string("auto_pad", "NOTSET");
  for (size_t k = 0; k < dims; ++k) {
    if (w.kernel[k] <= 0 || w.strides[k] <= 0 || w.dilations[k] <= 0)
      throw error(node.describe(), ": kernel, strides and dilations must be positive");
    if (pads[k] < 0 || pads[k + dims] < 0) throw error(node.describe(), ": negative pads");
  }
  w.pad_begin.assign(pads.begin(), pads.begin() + static_cast<long>(dims));
  w.pad_end.assign(pads.begin() + static_cast<long>(dims), pads.end());
  for (size_t k = 0; k < dims; ++k) {
    const int64_t in = input[k + 2];
    const int64_t extent = (w.kernel[k] - 1) * w.dilations[k] + 1;
    if (auto_pad == "SAME_UPPER" || auto_pad == "SAME_LOWER") {
      const int64_t out = (in + w.strides[k] - 1) / w.strides[k];
      const int64_t total = std::max<int64_t>(0, (out - 1) * w.strides[k] + extent - in);
      const int64_t small = total / 2, large = total - small;
      w.pad_begin[k] = auto_pad == "SAME_UPPER" ? small : large;
      w.pad_end[k] = auto_pad == "SAME_UPPER" ? large : small;
    } else if (auto_pad == "VALID") {
      w.pad_begin[k] = w.pad_end[k] = 0;
    } else if (auto_pad != "NOTSET") {
      throw error(node.describe(), ": unknown auto_pad '", auto_pad, "'");
    }
    const int64_t span = in + w.pad_begin[k] + w.pad_end[k] - extent;
    if (span < 0)
      throw error(node.describe(), ": kernel extent ", extent, " is larger than the padded input (",
                  to_string(input), ")");
    int64_t out = (ceil_mode ? (span + w.strides[k] - 1) / w.strides[k] : span / w.strides[k]) + 1;
    // The last window must start inside the input or its begin padding (ONNX, PyTorch, Caffe).
    if (ceil_mode && (out - 1) * w.strides[k] >= in + w.pad_begin[k]) --out;
    w.output.push_back(out);
    // In floor mode the declared end padding already gives `out` windows; in ceil mode the
    // end padding grows until the last window fits.
    w.pad_end_effective.push_back(
        std::max(w.pad_end[k], (out - 1) * w.strides[k] + extent - in - w.pad_begin[k]));
  }
  return w;
}

}  // namespace neuroscope::ops
