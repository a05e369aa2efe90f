// Ops whose output is their input under another shape (Reshape, Flatten, Squeeze, Unsqueeze):
// the forward is free (a view of the input's plain buffer), the backward a copy. Also the
// strided descriptors other ops use to read a row-major buffer under other dims or strides.
#pragma once

#include <vector>

#include "exec/dnnl_util.h"
#include "ops/op.h"

namespace neuroscope::ops {

void compile_view(exec::OpContext& ctx);

// Element strides of a row-major (C order) buffer of `shape`.
std::vector<int64_t> row_major_strides(const Shape& shape);
// A float32 descriptor with explicit element strides (any rank oneDNN allows).
exec::Desc strided_desc(const Shape& dims, const std::vector<int64_t>& strides);
// Views of consecutive blocks of `whole` along `axis` with the given shapes (Concat, Split);
// empty when the layout's blocking does not allow views at those offsets (a plain one does).
std::vector<exec::Desc> axis_slices(const exec::Desc& whole, const std::vector<Shape>& parts,
                                    size_t axis);

}  // namespace neuroscope::ops
