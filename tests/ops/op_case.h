// Operator test cases. Each file in tests/ops/ contributes cases for one operator with
// NS_OP_CASES(OpType) { ... return cases; }. gradient_check.cpp runs every case:
//   forward:  the engine's outputs against the float64 reference (ops/ref), and
//   backward: the engine's input gradients of L = sum(w * outputs) for random w against
//             central finite differences of the float64 reference.
// A test fails if an engine op has no cases.
#pragma once

#include <functional>
#include <ostream>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "graph/graph.h"
#include "neuroscope/tensor.h"

namespace neuroscope::testing {

struct OpInput {
  std::string name;                     // "" for an omitted optional input
  Tensor value;
  bool constant = false;                // weights, shapes, pads: folded into the graph
  std::optional<std::vector<int64_t>> ints;  // an int64 constant (then `value` is unused)
};

struct OpCase {
  std::string label;  // unique, e.g. "Conv/group2_stride2"
  std::string op_type;
  std::map<std::string, graph::Attribute, std::less<>> attributes;
  std::vector<OpInput> inputs;
  int num_outputs = 1;
  int64_t opset = 13;
  double forward_tolerance = 1e-4;   // max |engine - ref| / max |ref|
  double gradient_tolerance = 2e-3;  // max |engine - fd| / max |fd|
  double fd_step = 1e-4;             // central-difference step on the float64 reference
};

// GoogleTest prints a case by its label.
inline void PrintTo(const OpCase& c, std::ostream* out) { *out << c.label; }

using CaseGenerator = std::vector<OpCase> (*)(std::mt19937& rng);

std::map<std::string, CaseGenerator>& case_generators();

struct CaseRegistrar {
  CaseRegistrar(const char* op_type, CaseGenerator generator) {
    case_generators()[op_type] = generator;
  }
};

#define NS_OP_CASES(op)                                                        \
  static std::vector<::neuroscope::testing::OpCase> op##_cases(std::mt19937&); \
  static const ::neuroscope::testing::CaseRegistrar op##_registrar(#op, op##_cases); \
  static std::vector<::neuroscope::testing::OpCase> op##_cases(std::mt19937& rng)

// Uniform values in [lo, hi].
Tensor random_tensor(const Shape& shape, std::mt19937& rng, float lo = -1.0f, float hi = 1.0f);
// Uniform values in [lo, hi] with |x| >= margin: keeps inputs away from kinks at zero.
Tensor away_from_zero(const Shape& shape, std::mt19937& rng, float margin = 0.05f, float hi = 1.0f);
// Distinct values (a shuffled, spaced ramp in [-1, 1]): no ties for max-like ops.
Tensor distinct_tensor(const Shape& shape, std::mt19937& rng);

OpInput data(std::string name, Tensor value);
OpInput weights(std::string name, Tensor value);
OpInput int_input(std::string name, std::vector<int64_t> values);
OpInput omitted();

}  // namespace neuroscope::testing
