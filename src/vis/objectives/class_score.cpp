#include "vis/objectives/class_score.h"

#include <algorithm>
#include <cctype>
#include <cmath>

#include "graph/graph.h"
#include "neuroscope/model.h"
#include "util/closest.h"
#include "vis/spec_number.h"

namespace neuroscope {

ClassifierTensors classifier_tensors(const Model& model) {
  const graph::Graph& g = model.graph();
  if (g.outputs.empty()) return {};
  // Models often output both the logits and their Softmax: any Softmax output counts.
  for (const std::string& name : g.outputs) {
    const std::string output = g.resolve(name);
    for (const graph::Node& node : g.nodes)
      if (node.op_type == "Softmax" && !node.outputs.empty() && node.outputs.front() == output &&
          node.has_input(0))
        return {.logits = node.inputs.front(), .probabilities = name};
  }
  return {.logits = g.outputs.front(), .probabilities = {}};
}

namespace vis {

std::string ClassTerm::describe() const {
  return call(name_, {label_.empty() ? std::to_string(index_) : quote_name(label_)});
}

void ClassTerm::check(const Shape& shape) const {
  const bool classifier = shape.size() >= 2 && std::all_of(shape.begin() + 2, shape.end(),
                                                           [](int64_t d) { return d == 1; });
  if (!classifier)
    fail(detail::concat("tensor '", tensor_, "' has shape ", to_string(shape),
                        "; class scores need [N,K] (or [N,K,1,1])"));
  if (index_ < 0 || index_ >= shape[1])
    fail(detail::concat("class ", index_, " is out of range; '", tensor_, "' has ", shape[1],
                        " classes (0..", shape[1] - 1, ")"));
  check_batch(shape);
}

void ClassTerm::accumulate(const Tensor& act, double weight, std::vector<double>& values,
                           Tensor& grad) const {
  const int64_t classes = act.dim(1);
  for (int64_t b = first_image(); b < end_image(act.shape()); ++b) {
    const float* z = act.data() + b * classes;
    float* g = grad.data() + b * classes;
    if (read_ == Read::kElement) {
      values[static_cast<size_t>(b)] += weight * z[index_];
      g[index_] += static_cast<float>(weight);
      continue;
    }
    // p = softmax(z)[index]; dp/dz_j = p * ([j == index] - softmax(z)[j]).
    const float top = *std::max_element(z, z + classes);
    double sum = 0;
    for (int64_t j = 0; j < classes; ++j) sum += std::exp(static_cast<double>(z[j]) - top);
    const double p = std::exp(static_cast<double>(z[index_]) - top) / sum;
    values[static_cast<size_t>(b)] += weight * p;
    for (int64_t j = 0; j < classes; ++j) {
      const double pj = std::exp(static_cast<double>(z[j]) - top) / sum;
      g[j] += static_cast<float>(weight * p * ((j == index_ ? 1.0 : 0.0) - pj));
    }
  }
}

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string trim(std::string_view s) {
  const size_t first = s.find_first_not_of(" \t");
  if (first == std::string_view::npos) return {};
  return std::string(s.substr(first, s.find_last_not_of(" \t") - first + 1));
}

// Indices of the labels equal to `wanted` (lower case) as a whole or as one synonym.
std::vector<int64_t> matching_labels(const std::string& wanted,
                                     const std::vector<std::string>& labels) {
  std::vector<int64_t> whole, synonym;
  for (size_t i = 0; i < labels.size(); ++i) {
    const std::string label = lower(labels[i]);
    if (trim(label) == wanted) whole.push_back(static_cast<int64_t>(i));
    size_t start = 0;
    while (start <= label.size()) {
      const size_t comma = std::min(label.find(',', start), label.size());
      if (trim(std::string_view(label).substr(start, comma - start)) == wanted) {
        synonym.push_back(static_cast<int64_t>(i));
        break;
      }
      start = comma + 1;
    }
  }
  return whole.empty() ? synonym : whole;
}

}  // namespace

int64_t find_class(const std::string& argument, bool may_be_index,
                   const std::vector<std::string>& labels) {
  if (may_be_index && !argument.empty() &&
      std::all_of(argument.begin(), argument.end(),
                  [](char c) { return std::isdigit(static_cast<unsigned char>(c)); })) {
    const std::optional<int64_t> index = vis::whole_number<int64_t>(argument);
    if (!index) throw error("class index '", argument, "' is too large");
    return *index;
  }
  if (labels.empty())
    throw error("class '", argument,
                "' names a label, but the model has no labels file (<model>.labels.txt or "
                "labels.txt next to it); give the class index");
  const std::vector<int64_t> found = matching_labels(lower(trim(argument)), labels);
  if (found.size() == 1) return found.front();
  if (found.empty()) {
    std::string hint;
    for (const std::string& n : util::closest_names(argument, labels, 4))
      hint += (hint.empty() ? "'" : ", '") + n + "'";
    throw error("no class labelled '", argument, "'; closest labels: ", hint);
  }
  std::string which;
  for (int64_t i : found) which += (which.empty() ? "" : ", ") + std::to_string(i);
  throw error("class '", argument, "' is ambiguous: it names classes ", which, "; give the index");
}

}  // namespace vis
}  // namespace neuroscope
