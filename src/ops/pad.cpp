// Pad: constant, reflect or edge padding (negative pads crop). Plain-layout loops: each output
// row (the last axis) reads from one input row chosen per axis by ops/pad_rule.h; the backward
// adds each output gradient into the input element it was read from.
#include <algorithm>

#include "exec/plan.h"
#include "ops/pad_rule.h"
#include "ops/view.h"

namespace neuroscope::ops {
namespace {

// Pads and fill value: attributes before opset 11, constant inputs from 11.
struct PadArgs {
  std::vector<int64_t> pads;
  float value = 0.0f;
};

template <typename Context>
PadArgs pad_args(const Context& ctx) {
  const graph::Node& node = ctx.node();
  PadArgs args;
  if (ctx.opset() < 11) {
    args.pads = node.attr_ints("pads");
    args.value = node.attr_float("value", 0.0f);
    return args;
  }
  args.pads = ctx.require_constant(1, "pads").as_ints();
  if (ctx.has_input(2)) {
    const graph::Constant& v = ctx.require_constant(2, "constant value");
    if (v.size() != 1)
      throw error(node.describe(), ": constant_value must be a scalar, got shape ",
                  to_string(v.shape));
    args.value = static_cast<float>(v.value(0));
  }
  return args;
}

std::vector<Shape> infer(const ShapeContext& ctx) {
  return {pad_rule(ctx.node(), ctx.input_shape(0), pad_args(ctx).pads).output};
}

// For every output row: the offset of the input row it reads (or -1: all fill), in order.
// The last axis is handled by `columns`: the input column of each output column, or -1.
struct PadPlan {
  std::vector<int64_t> row_sources, columns;
};

PadPlan pad_plan(const PadSpec& spec, const Shape& input) {
  const Shape x = input.empty() ? Shape{1} : input;
  const Shape y = input.empty() ? Shape{1} : spec.output;
  const size_t last = x.size() - 1;
  auto source = [&](size_t k, int64_t o) {
    return input.empty() ? o : pad_source(spec.mode, o, spec.begin[k], x[k]);
  };
  PadPlan plan;
  for (int64_t o = 0; o < y[last]; ++o) plan.columns.push_back(source(last, o));
  const std::vector<int64_t> strides = row_major_strides(x);
  int64_t rows = 1;
  for (size_t k = 0; k < last; ++k) rows *= y[k];
  for (int64_t r = 0; r < rows; ++r) {
    int64_t rem = r, offset = 0;
    for (size_t k = last; k-- > 0;) {
      const int64_t i = source(k, rem % y[k]);
      rem /= y[k];
      offset = i < 0 || offset < 0 ? -1 : offset + i * strides[k];
    }
    plan.row_sources.push_back(offset);
  }
  return plan;
}

void compile(exec::OpContext& ctx) {
  const PadArgs args = pad_args(ctx);
  const Shape& x_shape = ctx.input_shape(0);
  const PadPlan plan = pad_plan(pad_rule(ctx.node(), x_shape, args.pads), x_shape);
  const float* x = exec::data_of(ctx.input_plain(0));
  float* y = exec::data_of(ctx.output_plain(0));
  const float value = args.value;
  ctx.forward([plan, x, y, value] {
    const auto width = static_cast<int64_t>(plan.columns.size());
    for (size_t r = 0; r < plan.row_sources.size(); ++r) {
      float* out = y + static_cast<int64_t>(r) * width;
      const int64_t base = plan.row_sources[r];
      if (base < 0) {
        std::fill_n(out, width, value);
        continue;
      }
      for (int64_t c = 0; c < width; ++c) {
        const int64_t i = plan.columns[static_cast<size_t>(c)];
        out[c] = i < 0 ? value : x[base + i];
      }
    }
  });
  if (!ctx.needs_grad(0)) return;
  const float* dy = exec::data_of(ctx.diff_output_plain(0));
  float* dx = exec::data_of(ctx.diff_input_plain(0));
  const int64_t x_count = element_count(x_shape);
  ctx.backward([plan, dy, dx, x_count] {
    std::fill_n(dx, x_count, 0.0f);
    const auto width = static_cast<int64_t>(plan.columns.size());
    for (size_t r = 0; r < plan.row_sources.size(); ++r) {
      const int64_t base = plan.row_sources[r];
      if (base < 0) continue;
      const float* g = dy + static_cast<int64_t>(r) * width;
      for (int64_t c = 0; c < width; ++c) {
        const int64_t i = plan.columns[static_cast<size_t>(c)];
        if (i >= 0) dx[base + i] += g[c];
      }
    }
  });
}

}  // namespace
extern const OpSpec kPadOp{"Pad", infer, compile};
}  // namespace neuroscope::ops
