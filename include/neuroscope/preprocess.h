// neuroscope/preprocess.h: how an RGB image in [0, 1] becomes a network's input tensor.
//
//   Preprocessing p = resolve_preprocessing(model, {});   // metadata, then sidecar JSON
//   p.apply(rgb_batch, net.input());                      // [N,3,H,W] -> network input
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
  // rgb: [N,3,H,W] in [0,1]; input: [N,C,H,W] with C = network_channels().
  void apply(const Tensor& rgb, Tensor& input) const;
  // d(objective)/d(input) -> d(objective)/d(rgb) (overwrites rgb_gradient).
  void backward(const Tensor& input_gradient, Tensor& rgb_gradient) const;
  // The inverse map for one image: network input values -> RGB in [0,1] (for showing kernels
  // and inputs in true colours).
  Tensor to_rgb(const Tensor& input) const;
  std::string describe() const;
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
