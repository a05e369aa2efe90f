// Ops whose output is their input under another shape (Reshape, Flatten, Squeeze, Unsqueeze):
// the forward is free (a view of the input's plain buffer), the backward a copy.
#pragma once

#include "ops/op.h"

namespace neuroscope::ops {

void compile_view(exec::OpContext& ctx);

}  // namespace neuroscope::ops
