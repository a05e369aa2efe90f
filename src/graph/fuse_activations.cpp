// Conv -> Relu becomes one Conv with a ReLU post-op. Its backward masks the gradient with the
// fused output (ReLU's derivative can be read off its output), so nothing extra is stored.
#include <set>

#include "graph/consumers.h"
#include "graph/specialize.h"

namespace neuroscope::graph {

void fuse_activations(ShapedGraph& sg, const std::vector<std::string>& keep) {
  Graph& g = sg.graph;
  const std::set<std::string, std::less<>> kept(keep.begin(), keep.end());
  auto uses = count_consumers(g);
  std::map<std::string, size_t, std::less<>> producer;
  for (size_t n = 0; n < g.nodes.size(); ++n)
    for (const std::string& out : g.nodes[n].outputs) producer[out] = n;

  std::vector<bool> removed(g.nodes.size(), false);
  for (size_t n = 0; n < g.nodes.size(); ++n) {
    Node& act = g.nodes[n];
    if (act.op_type != "Relu" || act.inputs.size() != 1) continue;
    const std::string& x = act.inputs[0];
    auto p = producer.find(x);
    if (p == producer.end() || uses[x] != 1 || kept.count(x)) continue;
    Node& conv = g.nodes[p->second];
    if (conv.op_type != "Conv" || conv.outputs.size() != 1 || conv.has_attr("_activation")) continue;
    Attribute a;
    a.kind = Attribute::Kind::kString;
    a.s = act.op_type;
    conv.attributes["_activation"] = a;
    sg.shapes.erase(x);
    conv.outputs[0] = act.outputs[0];
    removed[n] = true;
  }
  std::vector<Node> nodes;
  for (size_t n = 0; n < g.nodes.size(); ++n)
    if (!removed[n]) nodes.push_back(std::move(g.nodes[n]));
  g.nodes = std::move(nodes);
}

}  // namespace neuroscope::graph
