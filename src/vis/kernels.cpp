#include "neuroscope/kernels.h"

#include <algorithm>
#include <cmath>
#include <set>

#include "graph/graph.h"
#include "neuroscope/error.h"
#include "neuroscope/image.h"

namespace neuroscope {
namespace {

bool is_weighted_conv(const graph::Graph& g, const graph::Node& node) {
  return node.op_type == "Conv" && node.inputs.size() >= 2 && g.is_constant(node.inputs[1]);
}

std::string conv_names(const graph::Graph& g) {
  std::string names;
  int shown = 0;
  for (const graph::Node& node : g.nodes)
    if (is_weighted_conv(g, node) && shown++ < 8) names += (names.empty() ? "" : ", ") + node.outputs[0];
  return names;
}

const graph::Node& find_conv(const Model& model, const std::optional<std::string>& layer) {
  const graph::Graph& g = model.graph();
  if (!layer) {
    for (const graph::Node& node : g.nodes)
      if (is_weighted_conv(g, node)) return node;
    throw error(model.path().string(), ": the model has no convolution with constant weights");
  }
  // Accept the Conv node's name, its output, or the output of a unary op applied to it.
  std::string target = *layer;
  for (int hops = 0; hops < 4; ++hops) {
    for (const graph::Node& node : g.nodes) {
      const bool named = node.name == target ||
                         std::find(node.outputs.begin(), node.outputs.end(), target) != node.outputs.end();
      if (!named) continue;
      if (is_weighted_conv(g, node)) return node;
      if (node.inputs.size() == 1 || (node.op_type == "Clip" && !node.inputs.empty())) {
        target = node.inputs[0];
        break;
      }
      throw error(model.path().string(), ": '", *layer, "' is produced by ", node.describe(),
                  ", not a convolution; convolutions: ", conv_names(g), ", ...");
    }
  }
  model.resolve_tensor(*layer);  // throws with suggestions when the name is unknown
  throw error(model.path().string(), ": '", *layer, "' is not a convolution; convolutions: ",
              conv_names(g), ", ...");
}

}  // namespace

KernelGrid kernel_grid(const Model& model, const Preprocessing& pre, const KernelGridOptions& options) {
  const graph::Graph& g = model.graph();
  const graph::Node& conv = find_conv(model, options.layer);
  const graph::Constant& w = g.constants.at(conv.inputs[1]);
  if (w.shape.size() != 4)
    throw error(conv.describe(), ": only 2-D convolution kernels can be drawn (weights ",
                to_string(w.shape), ")");
  const std::vector<float> weights = w.as_floats();
  const int64_t oc = w.shape[0], ic = w.shape[1], kh = w.shape[2], kw = w.shape[3];
  const bool colour = ic == 3 && pre.network_channels() == 3;
  const int64_t factor = std::max<int64_t>(1, (options.tile + std::max(kh, kw) - 1) / std::max(kh, kw));

  std::vector<Tensor> tiles;
  for (int64_t o = 0; o < oc; ++o) {
    Tensor tile({colour ? 3 : 1, kh, kw});
    const float* k = weights.data() + o * ic * kh * kw;
    for (int64_t c = 0; c < tile.dim(0); ++c) {
      // Colour: the weight each RGB pixel channel effectively gets. Otherwise: the mean over
      // input channels (the first layer of a grayscale model has exactly one).
      for (int64_t i = 0; i < kh * kw; ++i) {
        float v = 0;
        if (colour) {
          const int64_t net_c = pre.color_order == ColorOrder::kBGR ? 2 - c : c;
          v = k[net_c * kh * kw + i] * pre.scale / pre.std[static_cast<size_t>(net_c)];
        } else {
          for (int64_t j = 0; j < ic; ++j) v += k[j * kh * kw + i];
          v /= static_cast<float>(ic);
        }
        tile[c * kh * kw + i] = v;
      }
    }
    float largest = 0;
    for (float v : tile.values()) largest = std::max(largest, std::fabs(v));
    for (float& v : tile.values()) v = largest > 0 ? 0.5f + 0.5f * v / largest : 0.5f;
    Tensor big = enlarge_nearest(tile, factor);
    if (!colour) {  // grey tiles as RGB so the sheet is one format
      Tensor rgb({3, big.dim(1), big.dim(2)});
      for (int64_t c = 0; c < 3; ++c) std::copy(big.values().begin(), big.values().end(), rgb.data() + c * big.size());
      big = std::move(rgb);
    }
    tiles.push_back(std::move(big));
  }
  const int64_t columns = options.columns > 0 ? options.columns : default_columns(oc);
  return {make_grid(tiles, columns, options.gap), conv.name, w.shape};
}

}  // namespace neuroscope
