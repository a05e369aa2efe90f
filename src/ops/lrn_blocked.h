// Across-channel LRN on the 16- or 8-channel blocked layout in AVX-512 or AVX2 (lrn_blocked.cpp).
#pragma once

#include "exec/plan.h"

namespace neuroscope::ops {

// Compiles LRN for float32 input in a channel-blocked layout (16 channels on AVX-512 CPUs, 8 on
// AVX2 ones), channels a multiple of the block, an odd window (at most 31 wide with 16-channel
// blocks, 9 with 8) and beta 0.75; false, having compiled nothing, otherwise.
bool compile_blocked_lrn(exec::OpContext& ctx, int64_t size, float alpha, float beta, float bias);

}  // namespace neuroscope::ops
