// neuroscope/score.h: measuring what a visualization shows.
//
//   ResponseMeter meter(model, preprocessing, "inception_4d/output", 224);
//   Tensor r = meter.responses(images);   // [N, C]: mean activation of each channel per image
//
// The specificity measures of a channel's image: its rank among all channels' responses, its
// response compared with the images of other channels, and with natural photos.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "neuroscope/model.h"
#include "neuroscope/network.h"
#include "neuroscope/preprocess.h"
#include "neuroscope/tensor.h"

namespace neuroscope {

class ResponseMeter {
 public:
  // Compiles `model` up to `tensor` for square RGB images of `size` (no gradients).
  ResponseMeter(const Model& model, const Preprocessing& preprocessing, const std::string& tensor,
                int64_t size);
  // images: [N,3,size,size] RGB (or [N,1,...] grey) in [0,1] -> [N, C] mean activation over
  // positions.
  Tensor responses(const Tensor& images);
  int64_t size() const { return size_; }

 private:
  const Model& model_;
  Preprocessing pre_;
  std::string tensor_;
  int64_t size_;
  std::unique_ptr<Network> net_;
  int64_t batch_ = 0;
};

// A photo as a square RGB image: centre crop, then bilinear resize to size x size.
Tensor load_square_image(const std::filesystem::path& path, int64_t size);

// Every image file (PNG, JPEG, BMP) directly in `folder`, sorted by name.
std::vector<std::filesystem::path> list_images(const std::filesystem::path& folder);

// Share of an image's spectral energy (2-D DFT power, mean removed, summed over colour
// channels) at frequencies above half the Nyquist frequency (max(|fx|,|fy|) > 1/4 cycle/px).
double high_frequency_energy(const Tensor& image);

}  // namespace neuroscope
