// neuroscope/visualize.h: feature visualization of channels, ready-made (the reference recipe
// by default), for the `feature` and `grid` commands and for library users.
//
//   FeatureOptions opt;                       // 256 steps, jitter 8, step 1/8, seed 0
//   auto result = neuroscope::visualize_channels(model, preprocessing, "inception_4d/output",
//                                                {97, 140}, opt);
//   write_png("97.png", batch_item(result.images, 0));
//
// Channels are rendered in batches: one forward/backward pass serves `batch` channels, each
// image with its own objective (the channel's total square activity) and its own random
// stream, so a channel's image does not depend on which batch it was rendered in.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "neuroscope/model.h"
#include "neuroscope/network.h"
#include "neuroscope/preprocess.h"
#include "neuroscope/tensor.h"

namespace neuroscope {

struct FeatureOptions {
  int steps = 256;
  int64_t size = 0;            // image height and width; 0: the preprocessing's default_size
  int64_t jitter = 8;          // largest shift in pixels (wrap-around)
  float step_size = 1.0f / 8;  // largest absolute change of a pixel per step
  uint64_t seed = 0;
  int64_t batch = 8;           // images optimized together
  bool rescue_silent = true;   // wake channels that fire nowhere (RenderSetup::rescue_silent)
  std::optional<Tensor> start; // start from this image ([3,H,W] RGB in [0,1], any size) not noise
  bool profile = false;        // time every step of the network (ChannelImages::profile)
  Precision precision = Precision::kFloat32;
};

struct VisualizeProgress {
  int64_t images_done = 0, images_total = 0;  // completed images
  int step = 0, steps = 0;                    // within the current batch
  int64_t batch_first = 0, batch_size = 0;    // the current batch
  double elapsed_seconds = 0;                 // since the start of all work
  double current_value = 0;                   // mean objective of the current batch
};

struct ChannelImages {
  std::string tensor;
  std::vector<int64_t> channels;
  Tensor images;               // [N,3,H,W] RGB in [0,1], one per channel, in order
  std::vector<double> values;  // final objective per channel
  std::vector<int> rescued_steps;  // steps each channel was silent and rescued
  double seconds = 0;
  std::string description;     // the recipe's pieces, for logs
  std::vector<ProfileRow> profile;  // per network step, milliseconds per optimization step
};

ChannelImages visualize_channels(const Model& model, const Preprocessing& preprocessing,
                                 const std::string& tensor, const std::vector<int64_t>& channels,
                                 const FeatureOptions& options,
                                 const std::function<void(const VisualizeProgress&)>& progress = {});

// "all", "7", "0-63", "1,5,9-12": channel indices in [0, channel_count). Error if malformed
// or out of range.
std::vector<int64_t> parse_channels(std::string_view spec, int64_t channel_count);

}  // namespace neuroscope
