// The SIMD kernels of the blocked-layout ops (max_pool_blocked.cpp, lrn_blocked.cpp) and
// Concat's copies: AVX-512 for oneDNN's 16-channel blocks, AVX2 for its 8-channel blocks (what
// it picks on CPUs without AVX-512): one target attribute per instruction set, one run-time
// check each that picks them, and streaming stores for outputs larger than the caches.
#pragma once

#include <immintrin.h>

#include <oneapi/dnnl/dnnl.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdlib>

// Functions written with AVX-512 intrinsics (F, BW, VL: every AVX-512 CPU but Xeon Phi).
#define NS_AVX512 __attribute__((target("avx512f,avx512bw,avx512vl")))

namespace neuroscope::ops {

// Functions written with AVX2 and FMA intrinsics.
#define NS_AVX2 __attribute__((target("avx2,fma")))

// NEUROSCOPE_PORTABLE_KERNELS=1 turns the SIMD kernels off, so that tests reach the fallbacks.
inline bool simd_kernels_allowed() {
  return std::getenv("NEUROSCOPE_PORTABLE_KERNELS") == nullptr;
}

// Whether this CPU runs NS_AVX512 functions (and they are allowed), and oneDNN uses AVX-512 too:
// our kernels follow its layouts, so DNNL_MAX_CPU_ISA=AVX2 (oneDNN's own switch) turns a
// machine into an AVX2 one for both, to measure or test what CPUs without AVX-512 run.
inline bool use_avx512_kernels() {
  __builtin_cpu_init();
  const auto isa = static_cast<unsigned>(dnnl::get_effective_cpu_isa());
  const auto avx512 = static_cast<unsigned>(dnnl::cpu_isa::avx512_core);
  return simd_kernels_allowed() && (isa & avx512) == avx512 && __builtin_cpu_supports("avx512f") &&
         __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl");
}

// Whether this CPU runs NS_AVX2 functions (and they are allowed).
inline bool use_avx2_kernels() {
  __builtin_cpu_init();
  return simd_kernels_allowed() && __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}

// Outputs of at least this many bytes (the two cores' L2) may be written with streaming stores,
// which do not read each line in before overwriting it: a large copy is a quarter faster here,
// LRN's passes a fifth and Concat's copies a third at GoogLeNet's batch 8. Max pooling does not
// use them (its backward, a gather, got slower).
constexpr size_t kStreamBytes = size_t{4} << 20;

// Whether an output at `base` of `bytes` bytes is stored streaming (base 64-byte aligned, as
// oneDNN's buffers and their 16-channel block offsets are).
inline bool streams(const void* base, size_t bytes) {
  return bytes >= kStreamBytes && reinterpret_cast<uintptr_t>(base) % 64 == 0;
}

// 16 floats to p (64-byte aligned when `stream`). Streaming stores are weakly ordered: each
// thread that made some fences (_mm_sfence) before the parallel region ends, so that the next
// step sees them.
NS_AVX512 inline void store16(float* p, __m512 v, bool stream) {
  if (stream)
    _mm512_stream_ps(p, v);
  else
    _mm512_storeu_ps(p, v);
}

// The register operations that every kernel's SIMD interface needs, one set per instruction
// set: a register V of kLanes floats, aligned and unaligned loads and stores, store_out (maybe
// streaming, see store16), set1, zero, add, sub, mul, max, fmadd (a b + c) and fnmadd (c - a b).
// The kernels' own interfaces (max_pool_blocked.cpp, lrn_blocked.cpp, conv_winograd.cpp) derive
// from these.
struct Avx512Registers {
  using V = __m512;
  static constexpr int64_t kLanes = 16;
  NS_AVX512 static V load(const float* p) { return _mm512_load_ps(p); }
  NS_AVX512 static V loadu(const float* p) { return _mm512_loadu_ps(p); }
  NS_AVX512 static void store(float* p, V v) { _mm512_store_ps(p, v); }
  NS_AVX512 static void storeu(float* p, V v) { _mm512_storeu_ps(p, v); }
  NS_AVX512 static void store_out(float* p, V v, bool stream) { store16(p, v, stream); }
  NS_AVX512 static V set1(float f) { return _mm512_set1_ps(f); }
  NS_AVX512 static V zero() { return _mm512_setzero_ps(); }
  NS_AVX512 static V add(V a, V b) { return _mm512_add_ps(a, b); }
  NS_AVX512 static V sub(V a, V b) { return _mm512_sub_ps(a, b); }
  NS_AVX512 static V mul(V a, V b) { return _mm512_mul_ps(a, b); }
  NS_AVX512 static V max(V a, V b) { return _mm512_max_ps(a, b); }
  NS_AVX512 static V fmadd(V a, V b, V c) { return _mm512_fmadd_ps(a, b, c); }
  NS_AVX512 static V fnmadd(V a, V b, V c) { return _mm512_fnmadd_ps(a, b, c); }
};

struct Avx2Registers {
  using V = __m256;
  static constexpr int64_t kLanes = 8;
  NS_AVX2 static V load(const float* p) { return _mm256_load_ps(p); }
  NS_AVX2 static V loadu(const float* p) { return _mm256_loadu_ps(p); }
  NS_AVX2 static void store(float* p, V v) { _mm256_store_ps(p, v); }
  NS_AVX2 static void storeu(float* p, V v) { _mm256_storeu_ps(p, v); }
  NS_AVX2 static void store_out(float* p, V v, bool stream) {  // p 32-byte aligned if `stream`
    if (stream)
      _mm256_stream_ps(p, v);
    else
      _mm256_storeu_ps(p, v);
  }
  NS_AVX2 static V set1(float f) { return _mm256_set1_ps(f); }
  NS_AVX2 static V zero() { return _mm256_setzero_ps(); }
  NS_AVX2 static V add(V a, V b) { return _mm256_add_ps(a, b); }
  NS_AVX2 static V sub(V a, V b) { return _mm256_sub_ps(a, b); }
  NS_AVX2 static V mul(V a, V b) { return _mm256_mul_ps(a, b); }
  NS_AVX2 static V max(V a, V b) { return _mm256_max_ps(a, b); }
  NS_AVX2 static V fmadd(V a, V b, V c) { return _mm256_fmadd_ps(a, b, c); }
  NS_AVX2 static V fnmadd(V a, V b, V c) { return _mm256_fnmadd_ps(a, b, c); }
};

}  // namespace neuroscope::ops
