#include "exec/dnnl_util.h"

#include <sstream>

#include "neuroscope/error.h"

namespace neuroscope::exec {

Desc plain_desc(const Shape& shape, memory::data_type type) {
  static const Tag tags[] = {Tag::a, Tag::a, Tag::ab, Tag::abc, Tag::abcd, Tag::abcde, Tag::abcdef};
  if (shape.size() > 6) throw error("tensors of rank ", shape.size(), " are not supported");
  if (shape.empty()) return Desc({1}, type, Tag::a);
  return Desc(to_dims(shape), type, tags[shape.size()]);
}

Desc any_desc(const Shape& shape, memory::data_type type) {
  return Desc(to_dims(shape), type, Tag::any);
}

bool is_plain(const Desc& desc) {
  const Dims dims = desc.dims();
  return desc == plain_desc(Shape(dims.begin(), dims.end()));
}

std::string describe(const Desc& desc) {
  std::ostringstream out;
  const auto& d = desc.data;
  if (d.format_kind == dnnl_blocked) {
    const auto& b = d.format_desc.blocking;
    out << "strides(";
    for (int i = 0; i < d.ndims; ++i) out << (i ? "," : "") << b.strides[i];
    out << ")";
    for (int i = 0; i < b.inner_nblks; ++i)
      out << " blk" << b.inner_idxs[i] << "x" << b.inner_blks[i];
  } else {
    out << "format_kind " << static_cast<int>(d.format_kind);
  }
  out << " [";
  for (int i = 0; i < d.ndims; ++i) out << (i ? "," : "") << d.dims[i];
  out << "]";
  return out.str();
}

Desc channel_blocked_desc(const Dims& dims, memory::data_type type, int64_t block) {
  const Tag tag = block == 1    ? Tag::abcd
                  : block == 8  ? Tag::aBcd8b
                  : block == 16 ? Tag::aBcd16b
                                : Tag::undef;
  NS_CHECK(tag != Tag::undef, "channel block ", block);
  return Desc(dims, type, tag);
}

size_t element_size(memory::data_type type) {
  return type == memory::data_type::f32 ? 4 : type == memory::data_type::bf16 ? 2 : 1;
}

int64_t channel_block(const Desc& desc) {
  const auto& d = desc.data;
  if (d.ndims != 4 || d.format_kind != dnnl_blocked) return 0;
  if (d.data_type != dnnl_f32 && d.data_type != dnnl_bf16) return 0;
  const auto& b = d.format_desc.blocking;
  int64_t block = 1;
  if (b.inner_nblks == 1 && b.inner_idxs[0] == 1)
    block = b.inner_blks[0];
  else if (b.inner_nblks != 0)
    return 0;
  if (block != 1 && block != 8 && block != 16) return 0;
  return desc == channel_blocked_desc(desc.dims(), desc.data_type(), block) ? block : 0;
}

const dnnl::engine& cpu_engine() {
  static const dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  return engine;
}

void reorder_now(const std::string& context, memory from, memory to) {
  dnnl_call(context, [&] {
    dnnl::stream s(cpu_engine());
    dnnl::reorder(from, to).execute(s, from, to);
    s.wait();
  });
}

}  // namespace neuroscope::exec
