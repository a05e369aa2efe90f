// Reference implementations of data-movement and shape-arithmetic ops. Besides being test
// oracles, these fold the shape computations torch.onnx.export leaves in graphs.
#include <algorithm>
#include <cmath>

#include "neuroscope/error.h"
#include "ops/ref/ref.h"
#include "ops/shape_rules.h"

namespace neuroscope::ref {
namespace {

using graph::DType;
using graph::Node;
using Outputs = std::vector<RefTensor>;

// Axes from the attribute (older opsets) or from input `index` (newer opsets).
std::vector<int64_t> axes_from(const Node& node, const RefInputs& in, size_t index,
                               bool from_input) {
  if (from_input) return index < in.size() && in[index] ? ints_of(*in[index]) : std::vector<int64_t>{};
  return node.attr_ints("axes", {});
}

RefTensor reshaped(const RefTensor& x, Shape shape) {
  RefTensor out = x;
  out.shape = std::move(shape);
  return out;
}

}  // namespace

Outputs ref_Identity(const Node& node, int64_t, const RefInputs& in) { return {need(node, in, 0)}; }

Outputs ref_Dropout(const Node& node, int64_t, const RefInputs& in) {
  const RefTensor& x = need(node, in, 0);
  return {x, RefTensor(x.shape, std::vector<double>(x.v.size(), 1.0), DType::kInt64)};
}

Outputs ref_Constant(const Node& node, int64_t, const RefInputs&) {
  if (const graph::Constant* t = node.attr_tensor("value")) return {from_constant(*t)};
  if (node.has_attr("value_float")) return {RefTensor({}, {node.attr_float("value_float", 0)})};
  if (node.has_attr("value_int"))
    return {RefTensor({}, {static_cast<double>(node.attr_int("value_int", 0))}, DType::kInt64)};
  if (node.has_attr("value_floats")) {
    auto f = node.attr_floats("value_floats");
    return {RefTensor({static_cast<int64_t>(f.size())}, std::vector<double>(f.begin(), f.end()))};
  }
  if (node.has_attr("value_ints")) {
    auto i = node.attr_ints("value_ints");
    return {RefTensor({static_cast<int64_t>(i.size())}, std::vector<double>(i.begin(), i.end()),
                      DType::kInt64)};
  }
  throw error(node.describe(), ": no supported value attribute (sparse or string constants are not supported)");
}

Outputs ref_Shape(const Node& node, int64_t, const RefInputs& in) {
  const Shape& s = need(node, in, 0).shape;
  const auto rank = static_cast<int64_t>(s.size());
  auto clamp = [&](int64_t a) { return std::clamp(a < 0 ? a + rank : a, int64_t{0}, rank); };
  const int64_t start = clamp(node.attr_int("start", 0));
  const int64_t end = clamp(node.attr_int("end", rank));
  std::vector<double> dims;
  for (int64_t k = start; k < end; ++k) dims.push_back(static_cast<double>(s[static_cast<size_t>(k)]));
  return {RefTensor({static_cast<int64_t>(dims.size())}, dims, DType::kInt64)};
}

Outputs ref_Size(const Node& node, int64_t, const RefInputs& in) {
  return {RefTensor({}, {static_cast<double>(need(node, in, 0).size())}, DType::kInt64)};
}

Outputs ref_ConstantOfShape(const Node& node, int64_t, const RefInputs& in) {
  Shape shape = ints_of(need(node, in, 0));
  double value = 0.0;
  DType dtype = DType::kFloat32;
  if (const graph::Constant* t = node.attr_tensor("value")) {
    if (t->size() != 1) throw error(node.describe(), ": 'value' must hold one element");
    value = t->value(0);
    dtype = t->dtype;
  }
  RefTensor out(shape, dtype);
  std::fill(out.v.begin(), out.v.end(), value);
  return {out};
}

Outputs ref_Cast(const Node& node, int64_t, const RefInputs& in) {
  RefTensor out = need(node, in, 0);
  const int64_t to = node.attr_int("to", 1);
  // ONNX TensorProto types: 1 float, 10 float16, 11 double, 16 bfloat16; the rest are integers
  // or bool, which we hold as int64.
  const bool to_float = to == 1 || to == 10 || to == 11 || to == 16;
  if (to == 8) throw error(node.describe(), ": casts to string are not supported");
  if (to_float) {
    out.dtype = DType::kFloat32;
    for (double& x : out.v) x = static_cast<float>(x);
  } else {
    out.dtype = DType::kInt64;
    for (double& x : out.v) x = to == 9 ? (x != 0.0 ? 1.0 : 0.0) : std::trunc(x);
  }
  return {out};
}

Outputs ref_Reshape(const Node& node, int64_t opset, const RefInputs& in) {
  const RefTensor& x = need(node, in, 0);
  std::vector<int64_t> target = opset < 5 ? node.attr_ints("shape") : ints_of(need(node, in, 1));
  return {reshaped(x, ops::reshape_rule(node, x.shape, target))};
}

Outputs ref_Flatten(const Node& node, int64_t, const RefInputs& in) {
  const RefTensor& x = need(node, in, 0);
  return {reshaped(x, ops::flatten_rule(node, x.shape))};
}

Outputs ref_Squeeze(const Node& node, int64_t opset, const RefInputs& in) {
  const RefTensor& x = need(node, in, 0);
  return {reshaped(x, ops::squeeze_rule(node, x.shape, axes_from(node, in, 1, opset >= 13)))};
}

Outputs ref_Unsqueeze(const Node& node, int64_t opset, const RefInputs& in) {
  const RefTensor& x = need(node, in, 0);
  return {reshaped(x, ops::unsqueeze_rule(node, x.shape, axes_from(node, in, 1, opset >= 13)))};
}

Outputs ref_Concat(const Node& node, int64_t, const RefInputs& in) {
  const RefTensor& first = need(node, in, 0);
  const auto rank = static_cast<int64_t>(first.shape.size());
  const int64_t axis = axis_of(node, node.attr_int("axis", 1), std::max<int64_t>(rank, 1));
  Shape out_shape = first.shape;
  out_shape[static_cast<size_t>(axis)] = 0;
  for (size_t i = 0; i < in.size(); ++i) {
    const RefTensor& t = need(node, in, i);
    for (int64_t k = 0; k < rank; ++k)
      if (k != axis && (t.shape.size() != first.shape.size() ||
                        t.shape[static_cast<size_t>(k)] != first.shape[static_cast<size_t>(k)]))
        throw error(node.describe(), ": input ", i, " has shape ", to_string(t.shape),
                    ", incompatible with ", to_string(first.shape), " along axis ", axis);
    out_shape[static_cast<size_t>(axis)] += t.shape[static_cast<size_t>(axis)];
  }
  RefTensor out(out_shape, first.dtype);
  int64_t outer = 1, inner = 1;
  for (int64_t k = 0; k < axis; ++k) outer *= out_shape[static_cast<size_t>(k)];
  for (int64_t k = axis + 1; k < rank; ++k) inner *= out_shape[static_cast<size_t>(k)];
  const int64_t out_axis = out_shape[static_cast<size_t>(axis)];
  int64_t offset = 0;
  for (const RefTensor* t : in) {
    const int64_t len = t->shape[static_cast<size_t>(axis)];
    for (int64_t o = 0; o < outer; ++o)
      for (int64_t a = 0; a < len; ++a)
        for (int64_t i = 0; i < inner; ++i)
          out.v[static_cast<size_t>((o * out_axis + offset + a) * inner + i)] =
              t->v[static_cast<size_t>((o * len + a) * inner + i)];
    offset += len;
  }
  return {out};
}

Outputs ref_Split(const Node& node, int64_t opset, const RefInputs& in) {
  const RefTensor& x = need(node, in, 0);
  std::vector<int64_t> split = opset >= 13 ? (in.size() > 1 && in[1] ? ints_of(*in[1])
                                                                     : std::vector<int64_t>{})
                                           : node.attr_ints("split", {});
  const std::vector<Shape> shapes = ops::split_rule(node, x.shape, std::move(split));
  const auto axis = static_cast<size_t>(ops::split_axis(node, x.shape));
  const int64_t len = x.shape[axis];
  int64_t outer = 1, inner = 1;
  for (size_t k = 0; k < axis; ++k) outer *= x.shape[k];
  for (size_t k = axis + 1; k < x.shape.size(); ++k) inner *= x.shape[k];
  Outputs outs;
  int64_t offset = 0;
  for (const Shape& shape : shapes) {
    const int64_t s = shape[axis];
    RefTensor out(shape, x.dtype);
    for (int64_t o = 0; o < outer; ++o)
      for (int64_t a = 0; a < s; ++a)
        for (int64_t i = 0; i < inner; ++i)
          out.v[static_cast<size_t>((o * s + a) * inner + i)] =
              x.v[static_cast<size_t>((o * len + offset + a) * inner + i)];
    offset += s;
    outs.push_back(std::move(out));
  }
  return outs;
}

Outputs ref_Gather(const Node& node, int64_t, const RefInputs& in) {
  const RefTensor& data = need(node, in, 0);
  const RefTensor& indices = need(node, in, 1);
  const auto rank = static_cast<int64_t>(data.shape.size());
  const int64_t axis = axis_of(node, node.attr_int("axis", 0), rank);
  const int64_t len = data.shape[static_cast<size_t>(axis)];
  Shape out_shape(data.shape.begin(), data.shape.begin() + axis);
  out_shape.insert(out_shape.end(), indices.shape.begin(), indices.shape.end());
  out_shape.insert(out_shape.end(), data.shape.begin() + axis + 1, data.shape.end());
  int64_t outer = 1, inner = 1;
  for (int64_t k = 0; k < axis; ++k) outer *= data.shape[static_cast<size_t>(k)];
  for (int64_t k = axis + 1; k < rank; ++k) inner *= data.shape[static_cast<size_t>(k)];
  RefTensor out(out_shape, data.dtype);
  const int64_t count = indices.size();
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t j = 0; j < count; ++j) {
      auto idx = static_cast<int64_t>(indices.v[static_cast<size_t>(j)]);
      if (idx < -len || idx >= len)
        throw error(node.describe(), ": index ", idx, " is out of range for axis of length ", len);
      if (idx < 0) idx += len;
      for (int64_t i = 0; i < inner; ++i)
        out.v[static_cast<size_t>((o * count + j) * inner + i)] =
            data.v[static_cast<size_t>((o * len + idx) * inner + i)];
    }
  return {out};
}

Outputs ref_Slice(const Node& node, int64_t opset, const RefInputs& in) {
  const RefTensor& x = need(node, in, 0);
  const ops::SliceGeometry g = opset < 10
      ? ops::slice_rule(node, x.shape, node.attr_ints("starts"), node.attr_ints("ends"),
                        node.attr_ints("axes"), {})
      : ops::slice_rule(node, x.shape, ints_of(need(node, in, 1)), ints_of(need(node, in, 2)),
                        in.size() > 3 && in[3] ? ints_of(*in[3]) : std::vector<int64_t>{},
                        in.size() > 4 && in[4] ? ints_of(*in[4]) : std::vector<int64_t>{});
  RefTensor out(g.output, x.dtype);
  const auto in_strides = strides_of(x.shape);
  for (int64_t flat = 0; flat < out.size(); ++flat) {
    int64_t rem = flat, src = 0;
    for (size_t k = x.shape.size(); k-- > 0;) {
      const int64_t coord = rem % g.output[k];
      rem /= g.output[k];
      src += (g.begin[k] + coord * g.step[k]) * in_strides[k];
    }
    out.v[static_cast<size_t>(flat)] = x.v[static_cast<size_t>(src)];
  }
  return {out};
}

Outputs ref_Transpose(const Node& node, int64_t, const RefInputs& in) {
  const RefTensor& x = need(node, in, 0);
  const auto rank = static_cast<int64_t>(x.shape.size());
  const std::vector<int64_t> perm = ops::transpose_perm(node, x.shape.size());
  Shape out_shape;
  for (int64_t p : perm) out_shape.push_back(x.shape[static_cast<size_t>(p)]);
  RefTensor out(out_shape, x.dtype);
  const auto in_strides = strides_of(x.shape);
  for (int64_t flat = 0; flat < out.size(); ++flat) {
    int64_t rem = flat, src = 0;
    for (int64_t k = rank; k-- > 0;) {
      const auto ks = static_cast<size_t>(k);
      src += (rem % out_shape[ks]) * in_strides[static_cast<size_t>(perm[ks])];
      rem /= out_shape[ks];
    }
    out.v[static_cast<size_t>(flat)] = x.v[static_cast<size_t>(src)];
  }
  return {out};
}

Outputs ref_Expand(const Node& node, int64_t, const RefInputs& in) {
  const RefTensor& x = need(node, in, 0);
  const Shape target = ints_of(need(node, in, 1));
  const Shape out_shape = broadcast(node, {x.shape, target});
  RefTensor out(out_shape, x.dtype);
  for (int64_t i = 0; i < out.size(); ++i)
    out.v[static_cast<size_t>(i)] = x.v[static_cast<size_t>(broadcast_index(i, out_shape, x.shape))];
  return {out};
}

Outputs ref_Range(const Node& node, int64_t, const RefInputs& in) {
  const RefTensor& start = need(node, in, 0);
  const double s = start.v.at(0), limit = need(node, in, 1).v.at(0), delta = need(node, in, 2).v.at(0);
  if (delta == 0) throw error(node.describe(), ": delta is 0");
  const auto n = static_cast<int64_t>(std::max(0.0, std::ceil((limit - s) / delta)));
  RefTensor out({n}, start.dtype);
  for (int64_t i = 0; i < n; ++i) out.v[static_cast<size_t>(i)] = s + static_cast<double>(i) * delta;
  return {out};
}

Outputs ref_Where(const Node& node, int64_t, const RefInputs& in) {
  const RefTensor& c = need(node, in, 0);
  const RefTensor& a = need(node, in, 1);
  const RefTensor& b = need(node, in, 2);
  const Shape out_shape = broadcast(node, {c.shape, a.shape, b.shape});
  RefTensor out(out_shape, a.dtype);
  for (int64_t i = 0; i < out.size(); ++i) {
    const bool take_a = c.v[static_cast<size_t>(broadcast_index(i, out_shape, c.shape))] != 0;
    const RefTensor& src = take_a ? a : b;
    out.v[static_cast<size_t>(i)] = src.v[static_cast<size_t>(broadcast_index(i, out_shape, src.shape))];
  }
  return {out};
}

}  // namespace neuroscope::ref
