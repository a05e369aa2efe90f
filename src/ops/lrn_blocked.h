// Across-channel LRN on the 16-channel blocked layout in AVX-512 (lrn_blocked.cpp).
#pragma once

#include "exec/plan.h"

namespace neuroscope::ops {

// Compiles LRN for float32 input in the 16-channel blocked layout, channels a multiple of 16,
// an odd window of at most 31 and beta 0.75, on CPUs with AVX-512; false, having compiled
// nothing, otherwise.
bool compile_blocked_lrn(exec::OpContext& ctx, int64_t size, float alpha, float beta, float bias);

}  // namespace neuroscope::ops
