// Small helpers around oneDNN types; only src/ops and src/exec include this.
#pragma once

#include <oneapi/dnnl/dnnl.hpp>

#include "neuroscope/tensor.h"

namespace neuroscope::exec {

using dnnl::memory;
using Desc = dnnl::memory::desc;
using Dims = dnnl::memory::dims;
using Tag = dnnl::memory::format_tag;

inline Dims to_dims(const Shape& shape) {
  return Dims(shape.begin(), shape.end());
}

// Row-major (C order) layout of a shape of any rank 0..6, of float32 or of `type`.
Desc plain_desc(const Shape& shape, memory::data_type type = memory::data_type::f32);
// Lets a primitive choose the layout (of float32, or of `type`).
Desc any_desc(const Shape& shape, memory::data_type type = memory::data_type::f32);
bool is_plain(const Desc& desc);
// A short readable form ("nChw16c [1,64,56,56]") for profiles and errors.
std::string describe(const Desc& desc);

// Channel block size of a dense 4-D f32 or bf16 layout whose channel blocks are outermost after
// the batch (nchw: 1, nChw8c: 8, nChw16c: 16); 0 for any other layout. In such a layout element
// (n, c, y, x) sits at ((n * C/b + c/b) * H + y) * W * b + x * b + c % b.
int64_t channel_block(const Desc& desc);
// The same layout family with `channels` channels.
Desc channel_blocked_desc(const Dims& dims, memory::data_type type, int64_t block);
size_t element_size(memory::data_type type);

inline float* data_of(const memory& m) {
  return static_cast<float*>(m.get_data_handle());
}

// The CPU engine every plan runs on (one per process).
const dnnl::engine& cpu_engine();

// Runs a oneDNN call, turning dnnl::error into neuroscope::Error with context.
template <typename F>
auto dnnl_call(const std::string& context, F&& f) -> decltype(f());

// Copies `from` into `to` (any layouts) right away, at compile time: for values that never change.
void reorder_now(const std::string& context, memory from, memory to);  // handles, copied

}  // namespace neuroscope::exec

#include "exec/dnnl_util_inl.h"
