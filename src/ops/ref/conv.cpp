// Reference Conv: direct loops over N, M, output positions, input channels of the group and
// kernel taps, in float64. Handles 1-3 spatial dims through a flattened spatial index.
#include "neuroscope/error.h"
#include "ops/ref/ref.h"
#include "ops/window.h"

namespace neuroscope::ref {

std::vector<RefTensor> ref_Conv(const graph::Node& node, int64_t, const RefInputs& in) {
  const RefTensor& x = need(node, in, 0);
  const RefTensor& w = need(node, in, 1);
  const RefTensor* bias = in.size() > 2 ? in[2] : nullptr;
  if (x.rank() < 3 || w.rank() != x.rank())
    throw error(node.describe(), ": bad shapes ", to_string(x.shape), " and ", to_string(w.shape));
  const int64_t group = node.attr_int("group", 1);
  const int64_t n_batch = x.shape[0], c_in = x.shape[1], m_out = w.shape[0];
  const int64_t c_per_group = w.shape[1], m_per_group = m_out / group;
  if (c_per_group * group != c_in) throw error(node.describe(), ": channels do not match groups");
  const ops::Window win =
      ops::resolve_window(node, x.shape, std::vector<int64_t>(w.shape.begin() + 2, w.shape.end()), false);
  const size_t dims = static_cast<size_t>(x.rank() - 2);
  Shape out_shape = {n_batch, m_out};
  out_shape.insert(out_shape.end(), win.output.begin(), win.output.end());
  RefTensor y(out_shape);
  const auto xs = strides_of(x.shape), ws = strides_of(w.shape), ys = strides_of(out_shape);
  int64_t out_positions = 1, kernel_taps = 1;
  for (size_t d = 0; d < dims; ++d) {
    out_positions *= win.output[d];
    kernel_taps *= win.kernel[d];
  }
  std::vector<int64_t> pos(dims), tap(dims);
  for (int64_t n = 0; n < n_batch; ++n)
    for (int64_t m = 0; m < m_out; ++m) {
      const int64_t g = m / m_per_group;
      for (int64_t p = 0; p < out_positions; ++p) {
        for (size_t d = dims, rem = static_cast<size_t>(p); d-- > 0;) {
          pos[d] = static_cast<int64_t>(rem) % win.output[d];
          rem /= static_cast<size_t>(win.output[d]);
        }
        double acc = bias ? bias->v[static_cast<size_t>(m)] : 0.0;
        for (int64_t c = 0; c < c_per_group; ++c)
          for (int64_t t = 0; t < kernel_taps; ++t) {
            int64_t rem = t, x_index = n * xs[0] + (g * c_per_group + c) * xs[1];
            int64_t w_index = m * ws[0] + c * ws[1];
            bool inside = true;
            for (size_t d = dims; d-- > 0;) {
              tap[d] = rem % win.kernel[d];
              rem /= win.kernel[d];
              const int64_t coord = pos[d] * win.strides[d] + tap[d] * win.dilations[d] - win.pad_begin[d];
              if (coord < 0 || coord >= x.shape[d + 2]) inside = false;
              x_index += coord * xs[d + 2];
              w_index += tap[d] * ws[d + 2];
            }
            if (inside) acc += x.v[static_cast<size_t>(x_index)] * w.v[static_cast<size_t>(w_index)];
          }
        int64_t y_index = n * ys[0] + m * ys[1];
        for (size_t d = 0; d < dims; ++d) y_index += pos[d] * ys[d + 2];
        y.v[static_cast<size_t>(y_index)] = acc;
      }
    }
  return {y};
}

}  // namespace neuroscope::ref
