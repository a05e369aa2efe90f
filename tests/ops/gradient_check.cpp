// Runs every operator case (see op_case.h) forward against the float64 reference and backward
// against central finite differences of that reference.
#include <algorithm>
#include <cmath>
#include <fstream>
#include <numeric>
#include <sstream>

#include "neuroscope/error.h"
#include "neuroscope/network.h"
#include "ops/op.h"
#include "ops/op_case.h"
#include "ops/ref/ref.h"
#include "testing/graph_builder.h"
#include "testing/testing.h"

namespace neuroscope::testing {

std::map<std::string, CaseGenerator>& case_generators() {
  static std::map<std::string, CaseGenerator> generators;
  return generators;
}

Tensor random_tensor(const Shape& shape, std::mt19937& rng, float lo, float hi) {
  Tensor t(shape);
  std::uniform_real_distribution<float> u(lo, hi);
  for (float& v : t.values()) v = u(rng);
  return t;
}

Tensor away_from_zero(const Shape& shape, std::mt19937& rng, float margin, float hi) {
  Tensor t(shape);
  std::uniform_real_distribution<float> u(margin, hi);
  std::bernoulli_distribution sign(0.5);
  for (float& v : t.values()) v = sign(rng) ? u(rng) : -u(rng);
  return t;
}

Tensor distinct_tensor(const Shape& shape, std::mt19937& rng) {
  Tensor t(shape);
  const int64_t n = t.size();
  std::vector<int64_t> order(static_cast<size_t>(n));
  std::iota(order.begin(), order.end(), 0);
  std::shuffle(order.begin(), order.end(), rng);
  for (int64_t i = 0; i < n; ++i)
    t[i] = n == 1 ? 0.5f : -1.0f + 2.0f * static_cast<float>(order[static_cast<size_t>(i)]) / static_cast<float>(n - 1);
  return t;
}

OpInput data(std::string name, Tensor value) { return {std::move(name), std::move(value), false, {}}; }
OpInput weights(std::string name, Tensor value) { return {std::move(name), std::move(value), true, {}}; }
OpInput int_input(std::string name, std::vector<int64_t> values) {
  return {std::move(name), Tensor(), true, std::move(values)};
}
OpInput omitted() { return {"", Tensor(), true, {}}; }

namespace {

std::vector<OpCase> all_cases() {
  std::vector<OpCase> cases;
  for (const auto& [op, generator] : case_generators()) {
    std::mt19937 rng(1234);
    for (OpCase& c : generator(rng)) {
      if (c.op_type.empty()) c.op_type = op;
      cases.push_back(std::move(c));
    }
  }
  return cases;
}

graph::Node make_node(const OpCase& c) {
  graph::Node node;
  node.name = c.label;
  node.op_type = c.op_type;
  node.attributes = c.attributes;
  for (const OpInput& in : c.inputs) node.inputs.push_back(in.name);
  for (int o = 0; o < c.num_outputs; ++o) node.outputs.push_back(detail::concat("y", o));
  return node;
}

// Float64 reference outputs with `inputs` (any input values may be perturbed).
std::vector<ref::RefTensor> reference(const OpCase& c, const std::vector<ref::RefTensor>& inputs) {
  ref::RefInputs ptrs;
  for (size_t i = 0; i < inputs.size(); ++i) ptrs.push_back(c.inputs[i].name.empty() ? nullptr : &inputs[i]);
  return ref::evaluate(make_node(c), c.opset, ptrs);
}

std::vector<ref::RefTensor> ref_inputs(const OpCase& c) {
  std::vector<ref::RefTensor> out;
  for (const OpInput& in : c.inputs) {
    if (in.name.empty()) {  // an omitted optional input: a placeholder the reference never reads
      out.emplace_back();
      continue;
    }
    if (in.ints) {
      ref::RefTensor t({static_cast<int64_t>(in.ints->size())}, graph::DType::kInt64);
      for (size_t k = 0; k < in.ints->size(); ++k) t.v[k] = static_cast<double>((*in.ints)[k]);
      out.push_back(t);
    } else {
      out.push_back(ref::from_tensor(in.value));
    }
  }
  return out;
}

class OpGradient : public ::testing::TestWithParam<OpCase> {};

TEST_P(OpGradient, ForwardAndBackwardMatchReference) {
  const OpCase& c = GetParam();
  GraphBuilder b(c.label, c.opset);
  for (const OpInput& in : c.inputs) {
    if (in.name.empty()) continue;
    if (in.ints) b.int_constant(in.name, {static_cast<int64_t>(in.ints->size())}, *in.ints);
    else if (in.constant) b.constant(in.name, in.value);
    else b.input(in.name, in.value.shape());
  }
  b.graph().nodes.push_back(make_node(c));
  std::vector<std::string> outputs;
  for (int o = 0; o < c.num_outputs; ++o) {
    outputs.push_back(detail::concat("y", o));
    b.output(outputs.back());
  }
  Model model = b.build();
  Network net(model, {.outputs = outputs, .gradients = true});
  for (const OpInput& in : c.inputs)
    if (!in.name.empty() && !in.constant) {
      Tensor& t = net.input(in.name);
      std::copy(in.value.values().begin(), in.value.values().end(), t.values().begin());
    }
  net.forward();

  std::vector<ref::RefTensor> x = ref_inputs(c);
  const std::vector<ref::RefTensor> expected = reference(c, x);
  ASSERT_EQ(expected.size(), outputs.size());
  std::mt19937 rng(99);
  std::vector<Tensor> w;
  for (size_t o = 0; o < outputs.size(); ++o) {
    const Tensor ref_out = ref::to_tensor(expected[o]);
    EXPECT_LE(relative_error(net.output(outputs[o]), ref_out), c.forward_tolerance)
        << c.label << ": forward of output " << o;
    w.push_back(random_tensor(ref_out.shape(), rng));
    Tensor& g = net.output_gradient(outputs[o]);
    std::copy(w.back().values().begin(), w.back().values().end(), g.values().begin());
  }
  net.backward();

  auto objective = [&](const std::vector<ref::RefTensor>& inputs) {
    const auto y = reference(c, inputs);
    double sum = 0;
    for (size_t o = 0; o < y.size(); ++o)
      for (int64_t k = 0; k < y[o].size(); ++k) sum += w[o][k] * y[o].v[static_cast<size_t>(k)];
    return sum;
  };
  for (size_t i = 0; i < c.inputs.size(); ++i) {
    const OpInput& in = c.inputs[i];
    if (in.name.empty() || in.constant) continue;
    const Tensor& analytic = net.input_gradient(in.name);
    // All elements of small inputs, a random sample of 400 of large ones.
    std::vector<int64_t> picks(static_cast<size_t>(in.value.size()));
    std::iota(picks.begin(), picks.end(), 0);
    if (picks.size() > 400) {
      std::shuffle(picks.begin(), picks.end(), rng);
      picks.resize(400);
    }
    double max_diff = 0, max_fd = 0;
    int64_t worst = -1;
    double worst_fd = 0, worst_an = 0;
    for (int64_t k : picks) {
      auto plus = x, minus = x;
      plus[i].v[static_cast<size_t>(k)] += c.fd_step;
      minus[i].v[static_cast<size_t>(k)] -= c.fd_step;
      const double fd = (objective(plus) - objective(minus)) / (2 * c.fd_step);
      const double diff = std::fabs(fd - analytic[k]);
      if (diff > max_diff) {
        max_diff = diff;
        worst = k;
        worst_fd = fd;
        worst_an = analytic[k];
      }
      max_fd = std::max(max_fd, std::fabs(fd));
    }
    EXPECT_LE(max_diff / std::max(max_fd, 1e-6), c.gradient_tolerance)
        << c.label << ": gradient of input '" << in.name << "' at element " << worst
        << ": engine " << worst_an << ", finite differences " << worst_fd;
  }
}

std::string case_name(const ::testing::TestParamInfo<OpCase>& info) {
  std::string name = info.param.label;
  for (char& ch : name)
    if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
  return name;
}

INSTANTIATE_TEST_SUITE_P(AllOps, OpGradient, ::testing::ValuesIn(all_cases()), case_name);

TEST(OpRegistry, EveryEngineOpHasReferenceCasesAndDocs) {
  std::ifstream doc(std::string(NEUROSCOPE_SOURCE_DIR) + "/docs/ops.md");
  std::stringstream text;
  text << doc.rdbuf();
  for (const ops::OpSpec* op : ops::all_ops()) {
    const std::string type(op->type);
    EXPECT_NE(ref::find(type), nullptr) << type << " has no float64 reference implementation";
    auto it = case_generators().find(type);
    EXPECT_TRUE(it != case_generators().end()) << type << " has no gradient-check cases in tests/ops/";
    if (it != case_generators().end()) {
      std::mt19937 rng(1);
      EXPECT_FALSE(it->second(rng).empty()) << type << " has an empty case list";
    }
    EXPECT_NE(text.str().find("| " + type + " |"), std::string::npos)
        << type << " has no row in docs/ops.md";
  }
}

}  // namespace
}  // namespace neuroscope::testing
