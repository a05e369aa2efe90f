// Reference element-wise ops: activations, unary math and broadcasting binary ops.
#include <algorithm>
#include <cmath>
#include <functional>

#include "neuroscope/error.h"
#include "ops/ref/ref.h"

namespace neuroscope::ref {
namespace {

using graph::DType;
using graph::Node;
using Outputs = std::vector<RefTensor>;

template <typename F>
Outputs unary(const Node& node, const RefInputs& in, F f) {
  RefTensor out = need(node, in, 0);
  for (double& x : out.v) x = f(x);
  return {out};
}

template <typename F>
Outputs binary(const Node& node, const RefInputs& in, F f, bool bool_result = false) {
  const RefTensor& a = need(node, in, 0);
  const RefTensor& b = need(node, in, 1);
  const Shape shape = broadcast(node, {a.shape, b.shape});
  RefTensor out(shape, bool_result ? DType::kInt64 : a.dtype);
  for (int64_t i = 0; i < out.size(); ++i)
    out.v[static_cast<size_t>(i)] = f(a.v[static_cast<size_t>(broadcast_index(i, shape, a.shape))],
                                      b.v[static_cast<size_t>(broadcast_index(i, shape, b.shape))]);
  return {out};
}

template <typename F>
Outputs variadic(const Node& node, const RefInputs& in, F f) {
  std::vector<Shape> shapes;
  for (size_t i = 0; i < in.size(); ++i) shapes.push_back(need(node, in, i).shape);
  const Shape shape = broadcast(node, shapes);
  RefTensor out(shape, in[0]->dtype);
  for (int64_t i = 0; i < out.size(); ++i) {
    double acc = in[0]->v[static_cast<size_t>(broadcast_index(i, shape, in[0]->shape))];
    for (size_t k = 1; k < in.size(); ++k)
      acc = f(acc, in[k]->v[static_cast<size_t>(broadcast_index(i, shape, in[k]->shape))]);
    out.v[static_cast<size_t>(i)] = acc;
  }
  return {out};
}

double sigmoid(double x) { return 1.0 / (1.0 + std::exp(-x)); }

}  // namespace

Outputs ref_Relu(const Node& n, int64_t, const RefInputs& in) {
  return unary(n, in, [](double x) { return x > 0 ? x : 0.0; });
}
Outputs ref_LeakyRelu(const Node& n, int64_t, const RefInputs& in) {
  const double alpha = n.attr_float("alpha", 0.01f);
  return unary(n, in, [alpha](double x) { return x >= 0 ? x : alpha * x; });
}
Outputs ref_Sigmoid(const Node& n, int64_t, const RefInputs& in) { return unary(n, in, sigmoid); }
Outputs ref_Tanh(const Node& n, int64_t, const RefInputs& in) {
  return unary(n, in, [](double x) { return std::tanh(x); });
}
Outputs ref_Elu(const Node& n, int64_t, const RefInputs& in) {
  const double alpha = n.attr_float("alpha", 1.0f);
  return unary(n, in, [alpha](double x) { return x >= 0 ? x : alpha * (std::exp(x) - 1.0); });
}
Outputs ref_Softplus(const Node& n, int64_t, const RefInputs& in) {
  return unary(n, in, [](double x) { return x > 30 ? x : std::log1p(std::exp(x)); });
}
Outputs ref_HardSigmoid(const Node& n, int64_t, const RefInputs& in) {
  const double alpha = n.attr_float("alpha", 0.2f), beta = n.attr_float("beta", 0.5f);
  return unary(n, in, [=](double x) { return std::clamp(alpha * x + beta, 0.0, 1.0); });
}
Outputs ref_HardSwish(const Node& n, int64_t, const RefInputs& in) {
  return unary(n, in, [](double x) { return x * std::clamp(x / 6.0 + 0.5, 0.0, 1.0); });
}
Outputs ref_Clip(const Node& n, int64_t opset, const RefInputs& in) {
  double lo = -INFINITY, hi = INFINITY;
  if (opset < 11) {
    lo = n.attr_float("min", -INFINITY);
    hi = n.attr_float("max", INFINITY);
  } else {
    if (in.size() > 1 && in[1]) lo = in[1]->v.at(0);
    if (in.size() > 2 && in[2]) hi = in[2]->v.at(0);
  }
  return unary(n, in, [=](double x) { return std::min(std::max(x, lo), hi); });
}
Outputs ref_PRelu(const Node& n, int64_t, const RefInputs& in) {
  return binary(n, in, [](double x, double slope) { return x >= 0 ? x : slope * x; });
}
Outputs ref_Neg(const Node& n, int64_t, const RefInputs& in) {
  return unary(n, in, [](double x) { return -x; });
}
Outputs ref_Abs(const Node& n, int64_t, const RefInputs& in) {
  return unary(n, in, [](double x) { return std::fabs(x); });
}
Outputs ref_Sqrt(const Node& n, int64_t, const RefInputs& in) {
  return unary(n, in, [](double x) { return std::sqrt(x); });
}
Outputs ref_Exp(const Node& n, int64_t, const RefInputs& in) {
  return unary(n, in, [](double x) { return std::exp(x); });
}
Outputs ref_Log(const Node& n, int64_t, const RefInputs& in) {
  return unary(n, in, [](double x) { return std::log(x); });
}
Outputs ref_Floor(const Node& n, int64_t, const RefInputs& in) {
  return unary(n, in, [](double x) { return std::floor(x); });
}
Outputs ref_Ceil(const Node& n, int64_t, const RefInputs& in) {
  return unary(n, in, [](double x) { return std::ceil(x); });
}
Outputs ref_Reciprocal(const Node& n, int64_t, const RefInputs& in) {
  return unary(n, in, [](double x) { return 1.0 / x; });
}
Outputs ref_Not(const Node& n, int64_t, const RefInputs& in) {
  return unary(n, in, [](double x) { return x == 0 ? 1.0 : 0.0; });
}

Outputs ref_Add(const Node& n, int64_t, const RefInputs& in) { return binary(n, in, std::plus<>()); }
Outputs ref_Sub(const Node& n, int64_t, const RefInputs& in) { return binary(n, in, std::minus<>()); }
Outputs ref_Mul(const Node& n, int64_t, const RefInputs& in) {
  return binary(n, in, std::multiplies<>());
}
Outputs ref_Div(const Node& n, int64_t, const RefInputs& in) {
  const bool integer = need(n, in, 0).dtype == DType::kInt64;
  return binary(n, in, [integer, &n](double a, double b) {
    if (!integer) return a / b;
    if (b == 0) throw error(n.describe(), ": integer division by zero");
    return std::trunc(a / b);
  });
}
Outputs ref_Pow(const Node& n, int64_t, const RefInputs& in) {
  return binary(n, in, [](double a, double b) { return std::pow(a, b); });
}
Outputs ref_Equal(const Node& n, int64_t, const RefInputs& in) {
  return binary(n, in, [](double a, double b) { return a == b ? 1.0 : 0.0; }, true);
}
Outputs ref_Less(const Node& n, int64_t, const RefInputs& in) {
  return binary(n, in, [](double a, double b) { return a < b ? 1.0 : 0.0; }, true);
}
Outputs ref_Greater(const Node& n, int64_t, const RefInputs& in) {
  return binary(n, in, [](double a, double b) { return a > b ? 1.0 : 0.0; }, true);
}
Outputs ref_Max(const Node& n, int64_t, const RefInputs& in) {
  return variadic(n, in, [](double a, double b) { return std::max(a, b); });
}
Outputs ref_Min(const Node& n, int64_t, const RefInputs& in) {
  return variadic(n, in, [](double a, double b) { return std::min(a, b); });
}
Outputs ref_Sum(const Node& n, int64_t, const RefInputs& in) {
  return variadic(n, in, [](double a, double b) { return a + b; });
}

}  // namespace neuroscope::ref
