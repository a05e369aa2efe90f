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

// The specificity of images made for channels of one layer (the measures of
// tests/test_specificity.cpp) and their spectral character.
struct ScoredImage {
  int64_t channel = 0;        // the channel the image was made for
  double response = 0;        // that channel's mean activation on its image
  int64_t rank = 0;           // 1: the largest response of all the layer's channels
  bool beats_others = true;   // larger than the channel's response to each other scored image
  double photo_mean = -1;     // the channel's mean response over the photos (-1: none given)
  double photo_ratio = -1;    // response / photo_mean (-1: no photos)
  double high_frequency = 0;  // high_frequency_energy() of the image
};

struct SpecificityReport {
  std::vector<ScoredImage> images;
  int top5 = 0;          // images whose channel ranks among the layer's 5 largest responses
  int beats_others = 0;  // images whose channel responds more to them than to the others
  int beats_photos = 0;  // images with photo_ratio >= 10
  double mean_high_frequency = 0;
};

// `images`: (channel, [C,H,W] image in [0,1]) pairs, all of one size; `photos`: natural images
// ([3,H,W], resized to that size here; may be empty). Responses are measured in float32.
SpecificityReport score_images(const Model& model, const Preprocessing& preprocessing,
                               const std::string& tensor,
                               const std::vector<std::pair<int64_t, Tensor>>& images,
                               const std::vector<Tensor>& photos);

// A photo as a square RGB image: centre crop, then bilinear resize to size x size.
Tensor load_square_image(const std::filesystem::path& path, int64_t size);

// Every image file (PNG, JPEG, BMP) directly in `folder`, sorted by name.
std::vector<std::filesystem::path> list_images(const std::filesystem::path& folder);

// Share of an image's spectral energy (2-D DFT power, each channel's mean removed, summed over
// colour channels) at spatial frequencies above half the Nyquist frequency: radius
// sqrt(fx^2 + fy^2) > 1/4 cycle per pixel.
double high_frequency_energy(const Tensor& image);

}  // namespace neuroscope
