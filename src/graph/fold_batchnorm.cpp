// Conv followed by an inference-mode BatchNormalization becomes one Conv with scaled weights:
// w' = w * gamma / sqrt(var + eps) per output channel, b' = (b - mean) * that + beta.
#include <algorithm>
#include <cmath>
#include <set>

#include "graph/consumers.h"
#include "graph/specialize.h"

namespace neuroscope::graph {

void fold_batchnorm(ShapedGraph& sg, const std::vector<std::string>& keep) {
  Graph& g = sg.graph;
  const std::set<std::string, std::less<>> kept(keep.begin(), keep.end());
  auto uses = count_consumers(g);
  std::map<std::string, size_t, std::less<>> producer;
  for (size_t n = 0; n < g.nodes.size(); ++n)
    for (const std::string& out : g.nodes[n].outputs) producer[out] = n;

  std::vector<bool> removed(g.nodes.size(), false);
  for (size_t n = 0; n < g.nodes.size(); ++n) {
    Node& bn = g.nodes[n];
    if (bn.op_type != "BatchNormalization" || bn.inputs.size() < 5 || bn.outputs.size() != 1 ||
        bn.attr_int("training_mode", 0) != 0)
      continue;
    const std::string& x = bn.inputs[0];
    auto p = producer.find(x);
    if (p == producer.end() || uses[x] != 1 || kept.count(x)) continue;
    Node& conv = g.nodes[p->second];
    if (conv.op_type != "Conv" || conv.outputs.size() != 1 || !g.is_constant(conv.inputs.at(1)))
      continue;
    bool params_constant = true;
    for (size_t i = 1; i < 5; ++i) params_constant &= g.is_constant(bn.inputs[i]);
    if (!params_constant || (conv.has_input(2) && !g.is_constant(conv.inputs[2]))) continue;

    const std::vector<float> gamma = g.constants.at(bn.inputs[1]).as_floats();
    const std::vector<float> beta = g.constants.at(bn.inputs[2]).as_floats();
    const std::vector<float> mean = g.constants.at(bn.inputs[3]).as_floats();
    const std::vector<float> var = g.constants.at(bn.inputs[4]).as_floats();
    const Constant& w = g.constants.at(conv.inputs[1]);
    const int64_t oc = w.shape.at(0);
    if (static_cast<int64_t>(gamma.size()) != oc || beta.size() != gamma.size() ||
        mean.size() != gamma.size() || var.size() != gamma.size())
      continue;
    const double eps = bn.attr_float("epsilon", 1e-5f);
    std::vector<float> weights = w.as_floats();
    std::vector<float> bias(static_cast<size_t>(oc), 0.0f);
    if (conv.has_input(2)) bias = g.constants.at(conv.inputs[2]).as_floats();
    const size_t per_channel = weights.size() / static_cast<size_t>(oc);
    for (size_t c = 0; c < static_cast<size_t>(oc); ++c) {
      const double scale = gamma[c] / std::sqrt(static_cast<double>(var[c]) + eps);
      for (size_t k = 0; k < per_channel; ++k)
        weights[c * per_channel + k] = static_cast<float>(weights[c * per_channel + k] * scale);
      bias[c] = static_cast<float>((bias[c] - mean[c]) * scale + beta[c]);
    }
    const std::string w_name = conv.name + "/weights_bn_folded";
    const std::string b_name = conv.name + "/bias_bn_folded";
    g.constants[w_name] = Constant::of_floats(w.shape, std::move(weights));
    g.constants[b_name] = Constant::of_floats({oc}, std::move(bias));
    conv.inputs.resize(3);
    conv.inputs[1] = w_name;
    conv.inputs[2] = b_name;
    sg.shapes.erase(x);
    conv.outputs[0] = bn.outputs[0];
    removed[n] = true;
  }
  std::vector<Node> nodes;
  for (size_t n = 0; n < g.nodes.size(); ++n)
    if (!removed[n]) nodes.push_back(std::move(g.nodes[n]));
  g.nodes = std::move(nodes);
}

}  // namespace neuroscope::graph
