// How many nodes read each tensor: what fusion passes check before rewriting.
#pragma once

#include <map>
#include <string>

#include "graph/graph.h"

namespace neuroscope::graph {

inline std::map<std::string, int, std::less<>> count_consumers(const Graph& g) {
  std::map<std::string, int, std::less<>> uses;
  for (const Node& node : g.nodes)
    for (const std::string& in : node.inputs)
      if (!in.empty()) ++uses[in];
  for (const std::string& out : g.outputs) ++uses[out];
  return uses;
}

}  // namespace neuroscope::graph
