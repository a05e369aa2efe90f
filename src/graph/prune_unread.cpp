// An objective that reads a few channels of an inception module's output needs only part of
// the module. Each input of the Concat that feeds none of the channels read is replaced by
// zeros; a convolution that feeds some of them is cut down to the 16-channel runs holding them
// (zeros in between), so its forward and backward shrink with it. truncate() then drops the
// layers nothing reads any more. The channels read keep their values; the others read zero.
#include <algorithm>
#include <string>

#include "graph/specialize.h"

namespace neuroscope::graph {
namespace {

// Channel runs are cut at multiples of this: whole blocks of the channel-blocked layouts (8 or
// 16 channels), so the pieces can still be written into the Concat's buffer in place.
constexpr int64_t kRunAlign = 16;

using Runs = std::vector<std::pair<int64_t, int64_t>>;

// The runs [begin, end) of whole kRunAlign blocks of [0, width) that hold a channel read, the
// channels counted from `offset`; adjacent blocks merge.
Runs runs_read(const std::vector<int64_t>& channels, int64_t offset, int64_t width) {
  Runs runs;
  for (int64_t begin = 0; begin < width; begin += kRunAlign) {
    const int64_t end = std::min(width, begin + kRunAlign);
    const bool read = std::any_of(channels.begin(), channels.end(), [&](int64_t c) {
      return c >= offset + begin && c < offset + end;
    });
    if (!read) continue;
    if (!runs.empty() && runs.back().second == begin)
      runs.back().second = end;
    else
      runs.emplace_back(begin, end);
  }
  return runs;
}

Shape with_channels(Shape shape, int64_t channels) {
  shape[1] = channels;
  return shape;
}

Shape with_rows(Shape shape, int64_t rows) {
  shape[0] = rows;
  return shape;
}

// Rewrites one Concat's inputs; collects the convolutions cut into runs.
class ConcatPruner {
 public:
  ConcatPruner(ShapedGraph& sg, std::map<size_t, std::vector<Node>>& sliced)
      : sg_(sg), g_(sg.graph), sliced_(sliced) {
    for (size_t n = 0; n < g_.nodes.size(); ++n) {
      for (const std::string& in : g_.nodes[n].inputs)
        if (!in.empty()) ++uses_[in];
      for (const std::string& out : g_.nodes[n].outputs) producer_[out] = n;
    }
  }

  // Whether another layer reads `tensor` (it would see the zeros).
  bool read_by_a_layer(const std::string& tensor) const { return uses_.count(tensor) > 0; }

  // The new inputs of `concat` for channels `read` of its output, and the ranges left zero;
  // empty inputs when nothing changes.
  std::vector<std::string> prune(const Node& concat, const std::vector<int64_t>& read,
                                 Runs& zero_ranges) {
    std::vector<std::string> inputs;
    bool changed = false, computed = false;
    int64_t offset = 0;
    for (const std::string& in : concat.inputs) {
      const Shape shape = shape_of(in);
      const int64_t width = shape[1];
      const bool constant = g_.is_constant(in);
      const Runs runs = constant ? Runs{} : runs_read(read, offset, width);
      const bool whole = runs.size() == 1 && runs[0] == std::make_pair(int64_t{0}, width);
      const Node* conv = whole || runs.empty() ? nullptr : sliceable_conv(in);
      // Kept as it is: constants, inputs read whole, and partly read ones that cannot be cut.
      if (constant || whole || (!runs.empty() && conv == nullptr)) {
        inputs.push_back(in);
        computed |= !constant;
      } else {
        changed = true;
        computed |= !runs.empty();
        int64_t at = 0;
        for (const auto& [begin, end] : runs) {
          if (begin > at) add_zeros(concat, shape, at, begin, offset, inputs, zero_ranges);
          inputs.push_back(add_slice(*conv, in, shape, begin, end));
          at = end;
        }
        if (at < width) add_zeros(concat, shape, at, width, offset, inputs, zero_ranges);
      }
      offset += width;
    }
    if (!changed || !computed) {
      zero_ranges.clear();
      return {};
    }
    return inputs;
  }

 private:
  const Shape& shape_of(const std::string& name) const {
    return g_.is_constant(name) ? g_.constants.at(name).shape : sg_.shape_of(name);
  }

  // The Conv that produces `tensor` for this Concat alone, with constant weights and bias and
  // no groups: it can be cut along its output channels.
  const Node* sliceable_conv(const std::string& tensor) const {
    auto p = producer_.find(tensor);
    if (p == producer_.end() || uses_.at(tensor) != 1 ||
        std::find(g_.outputs.begin(), g_.outputs.end(), tensor) != g_.outputs.end())
      return nullptr;
    const Node& conv = g_.nodes[p->second];
    auto float_constant = [&](size_t i) {
      return g_.is_constant(conv.inputs[i]) &&
             g_.constants.at(conv.inputs[i]).dtype == DType::kFloat32;
    };
    if (conv.op_type != "Conv" || conv.outputs.size() != 1 || !conv.has_input(1) ||
        !float_constant(1) || (conv.has_input(2) && !float_constant(2)) ||
        conv.attr_int("group", 1) != 1)
      return nullptr;
    return &conv;
  }

  void add_zeros(const Node& concat, const Shape& shape, int64_t begin, int64_t end, int64_t offset,
                 std::vector<std::string>& inputs, Runs& zero_ranges) {
    const std::string name = concat.outputs[0] + "#zeros" + std::to_string(offset + begin);
    const Shape zeros = with_channels(shape, end - begin);
    g_.constants[name] =
        Constant::of_floats(zeros, std::vector<float>(static_cast<size_t>(element_count(zeros))));
    inputs.push_back(name);
    zero_ranges.emplace_back(offset + begin, offset + end);
  }

  // A copy of `conv` computing output channels [begin, end) of `tensor`.
  std::string add_slice(const Node& conv, const std::string& tensor, const Shape& shape,
                        int64_t begin, int64_t end) {
    // (Appended piece by piece: GCC 12 warns falsely on "#" + std::to_string(...), PR 105329.)
    std::string suffix = "#";
    suffix.append(std::to_string(begin)).append("-").append(std::to_string(end));
    Node slice = conv;
    slice.name += suffix;
    slice.outputs[0] = tensor + suffix;
    for (size_t i = 1; i < conv.inputs.size() && i <= 2; ++i) {
      if (!conv.has_input(i)) continue;
      const Constant& whole = g_.constants.at(conv.inputs[i]);
      const int64_t per_channel = whole.size() / whole.shape[0];
      const auto first = whole.floats.begin() + begin * per_channel;
      const auto last = whole.floats.begin() + end * per_channel;
      slice.inputs[i] = conv.inputs[i] + suffix;
      g_.constants[slice.inputs[i]] =
          Constant::of_floats(with_rows(whole.shape, end - begin), std::vector<float>(first, last));
    }
    sg_.shapes[slice.outputs[0]] = with_channels(shape, end - begin);
    sliced_[producer_.at(tensor)].push_back(std::move(slice));
    return tensor + suffix;
  }

  ShapedGraph& sg_;
  Graph& g_;
  std::map<size_t, std::vector<Node>>& sliced_;
  std::map<std::string, int, std::less<>> uses_;
  std::map<std::string, size_t, std::less<>> producer_;
};

}  // namespace

UnreadChannels prune_unread_channels(ShapedGraph& sg, const ChannelsRead& read) {
  Graph& g = sg.graph;
  std::map<size_t, std::vector<Node>> sliced;  // by the index of the Conv they replace
  ConcatPruner pruner(sg, sliced);
  UnreadChannels unread;
  for (Node& node : g.nodes) {
    if (node.op_type != "Concat" || node.outputs.size() != 1) continue;
    const std::string& out = node.outputs[0];
    auto channels = read.find(out);
    if (channels == read.end() || pruner.read_by_a_layer(out)) continue;
    const auto rank = static_cast<int64_t>(sg.shape_of(out).size());
    const int64_t axis = node.attr_int("axis", 1);
    if (rank < 2 || (axis != 1 && axis != 1 - rank)) continue;
    Runs zero_ranges;
    std::vector<std::string> inputs = pruner.prune(node, channels->second, zero_ranges);
    if (inputs.empty()) continue;
    node.inputs = std::move(inputs);
    unread[out] = std::move(zero_ranges);
  }
  // The cut convolutions take the place of the ones they replace (topological order holds);
  // the originals, now unread, go with the next truncate().
  std::vector<Node> nodes;
  for (size_t n = 0; n < g.nodes.size(); ++n) {
    if (auto s = sliced.find(n); s != sliced.end())
      for (Node& slice : s->second) nodes.push_back(std::move(slice));
    nodes.push_back(std::move(g.nodes[n]));
  }
  g.nodes = std::move(nodes);
  return unread;
}

}  // namespace neuroscope::graph
