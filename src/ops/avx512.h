// The AVX-512 kernels of the blocked-layout ops (max_pool_blocked.cpp, lrn_blocked.cpp): one
// target attribute for their functions, and one run-time check that picks them.
#pragma once

#include <cstdlib>

// Functions written with AVX-512 intrinsics (F, BW, VL: every AVX-512 CPU but Xeon Phi).
#define NS_AVX512 __attribute__((target("avx512f,avx512bw,avx512vl")))

namespace neuroscope::ops {

// Whether this CPU runs NS_AVX512 functions; NEUROSCOPE_PORTABLE_KERNELS=1 says no anyway, so
// that tests reach the fallbacks.
inline bool use_avx512_kernels() {
  __builtin_cpu_init();
  return std::getenv("NEUROSCOPE_PORTABLE_KERNELS") == nullptr &&
         __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
         __builtin_cpu_supports("avx512vl");
}

}  // namespace neuroscope::ops
