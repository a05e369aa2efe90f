#include <set>

#include "graph/specialize.h"

namespace neuroscope::graph {

void truncate(Graph& g, const std::vector<std::string>& wanted) {
  std::set<std::string, std::less<>> needed(wanted.begin(), wanted.end());
  std::vector<bool> keep(g.nodes.size(), false);
  for (size_t n = g.nodes.size(); n-- > 0;) {
    const Node& node = g.nodes[n];
    for (const std::string& out : node.outputs)
      if (!out.empty() && needed.count(out)) keep[n] = true;
    if (!keep[n]) continue;
    for (const std::string& in : node.inputs)
      if (!in.empty()) needed.insert(in);
  }
  std::vector<Node> kept;
  for (size_t n = 0; n < g.nodes.size(); ++n)
    if (keep[n]) kept.push_back(std::move(g.nodes[n]));
  g.nodes = std::move(kept);
  // Inputs nobody needs stay declared (callers may still feed them); unused constants go.
  for (auto it = g.constants.begin(); it != g.constants.end();)
    it = needed.count(it->first) ? std::next(it) : g.constants.erase(it);
  g.outputs = wanted;
}

void truncate(ShapedGraph& sg, const std::vector<std::string>& wanted) { truncate(sg.graph, wanted); }

}  // namespace neuroscope::graph
