// neuroscope/preprocess.h: how an RGB image in [0, 1] becomes a network's input tensor.
//
//   Preprocessing p = resolve_preprocessing(model, {});   // metadata, then sidecar JSON
//   p.apply(images, net.input());                         // [N,3,H,W] -> network input
//   p.backward(net.input_gradient(), rgb_gradient);       // gradient flows back through it
//
// network[c] = (pixel[channel_of(c)] * scale - mean[c]) / std[c], where channel_of follows
// the colour order (RGB, BGR, or GRAY = luma of RGB). Sources, in increasing priority: the
// model's metadata_props, a JSON file next to the model (<model>.json), explicit overrides.
// With none of them, torchvision's ImageNet normalization is assumed (and `source` says so).
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "neuroscope/model.h"
#include "neuroscope/tensor.h"

namespace neuroscope {

enum class ColorOrder { kRGB, kBGR, kGray };

struct Preprocessing {
  ColorOrder color_order = ColorOrder::kRGB;
  float scale = 1.0f;
  std::vector<float> mean = {0.485f, 0.456f, 0.406f};
  std::vector<float> std = {0.229f, 0.224f, 0.225f};
  int64_t default_size = 224;
  std::string source = "default (torchvision ImageNet normalization)";

  int64_t network_channels() const { return color_order == ColorOrder::kGray ? 1 : 3; }
  // Channels of the images made for this network: 1 (grey) for GRAY networks, else 3 (RGB).
  int64_t image_channels() const { return network_channels(); }
  // image: [N,3,H,W] RGB, or [N,1,H,W] grey for a GRAY network, in [0,1];
  // input: [N,C,H,W] with C = network_channels(). RGB photos fed to a GRAY network count by luma.
  void apply(const Tensor& image, Tensor& input) const;
  // d(objective)/d(input) -> d(objective)/d(image) (overwrites image_gradient, either shape).
  void backward(const Tensor& input_gradient, Tensor& image_gradient) const;
  std::string describe() const;

 private:
  // How much image channel `image_channel` (of `image_channels`) contributes to network
  // channel `net_channel` before scale, mean and std.
  float mixing(int64_t net_channel, int64_t image_channel, int64_t image_channels) const;
};

// Explicit settings, e.g. from command-line flags; unset fields keep the lower-priority value.
struct PreprocessingOverrides {
  std::optional<ColorOrder> color_order;
  std::optional<float> scale;
  std::optional<std::vector<float>> mean, std;
  std::optional<int64_t> default_size;
};

ColorOrder parse_color_order(const std::string& text);  // "RGB", "BGR", "GRAY"
const char* color_order_name(ColorOrder order);

Preprocessing resolve_preprocessing(const Model& model, const PreprocessingOverrides& overrides);

// Class names: <model stem>.labels.txt, else labels.txt, next to the model; empty if none.
std::vector<std::string> load_labels(const Model& model);

}  // namespace neuroscope
