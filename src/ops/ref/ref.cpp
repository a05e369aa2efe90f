#include "ops/ref/ref.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "neuroscope/error.h"
#include "ops/ref/registry.h"

namespace neuroscope::ref {

RefTensor::RefTensor(Shape s, graph::DType t)
    : dtype(t), shape(std::move(s)), v(static_cast<size_t>(element_count(shape)), 0.0) {}

RefTensor::RefTensor(Shape s, std::vector<double> values, graph::DType t)
    : dtype(t), shape(std::move(s)), v(std::move(values)) {
  NS_CHECK(static_cast<int64_t>(v.size()) == element_count(shape), to_string(shape));
}

RefTensor from_constant(const graph::Constant& c) {
  RefTensor t(c.shape, c.dtype);
  for (int64_t i = 0; i < c.size(); ++i) t.v[static_cast<size_t>(i)] = c.value(i);
  return t;
}

graph::Constant to_constant(const RefTensor& t) {
  if (t.dtype == graph::DType::kFloat32)
    return graph::Constant::of_floats(t.shape, std::vector<float>(t.v.begin(), t.v.end()));
  std::vector<int64_t> ints(t.v.size());
  constexpr double kLimit = 9.2e18;  // saturate: INT64_MAX-style sentinels (Slice ends) survive
  for (size_t i = 0; i < ints.size(); ++i) {
    const double x = std::isnan(t.v[i]) ? 0.0 : std::clamp(t.v[i], -kLimit, kLimit);
    ints[i] = x >= kLimit    ? std::numeric_limits<int64_t>::max()
              : x <= -kLimit ? std::numeric_limits<int64_t>::min()
                             : static_cast<int64_t>(x);
  }
  return graph::Constant::of_ints(t.shape, std::move(ints));
}

RefTensor from_tensor(const Tensor& t) {
  return RefTensor(t.shape(), std::vector<double>(t.values().begin(), t.values().end()));
}

Tensor to_tensor(const RefTensor& t) {
  return Tensor(t.shape, std::vector<float>(t.v.begin(), t.v.end()));
}

std::vector<int64_t> strides_of(const Shape& shape) {
  std::vector<int64_t> strides(shape.size(), 1);
  for (size_t i = shape.size(); i-- > 1;) strides[i - 1] = strides[i] * shape[i];
  return strides;
}

Shape broadcast(const graph::Node& node, const std::vector<Shape>& shapes) {
  size_t rank = 0;
  for (const Shape& s : shapes) rank = std::max(rank, s.size());
  Shape out(rank, 1);
  for (const Shape& s : shapes)
    for (size_t k = 0; k < s.size(); ++k) {
      int64_t& o = out[rank - s.size() + k];
      const int64_t d = s[k];
      if (d == o || d == 1) continue;
      if (o == 1) {
        o = d;
        continue;
      }
      std::string all;
      for (const Shape& t : shapes) all += (all.empty() ? "" : " and ") + to_string(t);
      throw error(node.describe(), ": shapes ", all, " cannot be broadcast together");
    }
  return out;
}

int64_t broadcast_index(int64_t flat, const Shape& out_shape, const Shape& src_shape) {
  int64_t index = 0, stride = 1;
  const size_t offset = out_shape.size() - src_shape.size();
  for (size_t k = out_shape.size(); k-- > 0;) {
    const int64_t coord = flat % out_shape[k];
    flat /= out_shape[k];
    if (k < offset) continue;
    const int64_t d = src_shape[k - offset];
    if (d != 1) index += coord * stride;
    stride *= d;
  }
  return index;
}

const RefTensor& need(const graph::Node& node, const RefInputs& inputs, size_t i) {
  if (i >= inputs.size() || !inputs[i])
    throw error(node.describe(), ": required input ", i, " is missing");
  return *inputs[i];
}

int64_t axis_of(const graph::Node& node, int64_t axis, int64_t rank) {
  if (axis < -rank || axis >= rank)
    throw error(node.describe(), ": axis ", axis, " is out of range for rank ", rank);
  return axis < 0 ? axis + rank : axis;
}

std::vector<int64_t> ints_of(const RefTensor& t) { return to_constant(t).as_ints(); }

RefFn find(std::string_view op_type) {
  for (const RefEntry& e : registry())
    if (e.type == op_type) return e.fn;
  return nullptr;
}

std::vector<RefTensor> evaluate(const graph::Node& node, int64_t opset, const RefInputs& inputs) {
  RefFn fn = find(node.op_type);
  if (!fn) throw error(node.describe(), ": no reference implementation");
  return fn(node, opset, inputs);
}

}  // namespace neuroscope::ref
