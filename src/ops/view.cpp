#include "ops/view.h"

#include <cstring>

#include "exec/plan.h"

namespace neuroscope::ops {

void compile_view(exec::OpContext& ctx) {
  dnnl::memory x = ctx.input_plain(0);
  ctx.output_view(0, x);
  if (!ctx.needs_grad(0)) return;
  dnnl::memory dy = ctx.diff_output_plain(0);
  dnnl::memory dx = ctx.diff_input_plain(0);
  const size_t bytes = dx.get_desc().get_size();
  float* to = exec::data_of(dx);
  const float* from = exec::data_of(dy);
  ctx.backward([to, from, bytes] { std::memcpy(to, from, bytes); });
}

}  // namespace neuroscope::ops

namespace neuroscope::ops {

std::vector<int64_t> row_major_strides(const Shape& shape) {
  std::vector<int64_t> strides(shape.size(), 1);
  for (size_t k = shape.size(); k-- > 1;) strides[k - 1] = strides[k] * shape[k];
  return strides;
}

exec::Desc strided_desc(const Shape& dims, const std::vector<int64_t>& strides) {
  return exec::Desc(exec::to_dims(dims), dnnl::memory::data_type::f32,
                    exec::Dims(strides.begin(), strides.end()));
}

std::vector<exec::Desc> axis_slices(const exec::Desc& whole, const std::vector<Shape>& parts,
                                    size_t axis) {
  std::vector<exec::Desc> slices;
  int64_t offset = 0;
  for (const Shape& part : parts) {
    exec::Dims offsets(part.size(), 0);
    offsets[axis] = offset;
    offset += part[axis];
    try {
      slices.push_back(whole.submemory_desc(exec::to_dims(part), offsets));
    } catch (const dnnl::error&) {
      return {};
    }
  }
  return slices;
}

}  // namespace neuroscope::ops
