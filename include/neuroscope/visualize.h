// neuroscope/visualize.h: feature visualization, ready-made, for the `feature` and `grid`
// commands and for library users. The reference recipe is the default; every other recipe
// (neuroscope/recipe.h) and every objective (neuroscope/objective.h) is one option away.
//
//   FeatureOptions opt;                       // the reference recipe: 256 steps, roll 8, 1/8
//   auto result = neuroscope::visualize_channels(model, preprocessing, "inception_4d/output",
//                                                {97, 140}, opt);
//   write_png("97.png", batch_item(result.images, 0));
//
//   opt.recipe = neuroscope::recipe_named("lucid");
//   auto four = neuroscope::visualize_objective(
//       model, preprocessing, parse_objective("inception_4d/output:97 -
//       50*diversity(inception_4d/output)"), 4, opt);
//
// Images are rendered in batches: one forward/backward pass serves `batch` images, each with
// its own objective and its own random stream, so an image does not depend on which batch it
// was rendered in.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "neuroscope/model.h"
#include "neuroscope/network.h"
#include "neuroscope/objective.h"
#include "neuroscope/preprocess.h"
#include "neuroscope/recipe.h"
#include "neuroscope/tensor.h"

namespace neuroscope {

struct FeatureOptions {
  Recipe recipe;     // parameterization, transforms, optimizer, steps (reference)
  int64_t size = 0;  // image height and width; 0: the preprocessing's default_size
  uint64_t seed = 0;
  int64_t batch = 8;            // images optimized together
  bool rescue_silent = true;    // wake channels that fire nowhere (RenderSetup::rescue_silent)
  std::optional<Tensor> start;  // start from this image ([3,H,W] RGB in [0,1], any size) not noise
  bool profile = false;         // time every step of the network (ChannelImages::profile)
  Precision precision = Precision::kFloat32;
};

struct VisualizeProgress {
  int64_t images_done = 0, images_total = 0;  // completed images
  int step = 0, steps = 0;                    // within the current batch, all octaves
  int64_t batch_first = 0, batch_size = 0;    // the current batch
  double elapsed_seconds = 0;                 // since the start of all work
  double current_value = 0;                   // mean objective of the current batch
};

struct ChannelImages {
  std::string tensor;              // the layer (visualize_channels) or the objective's text
  std::vector<int64_t> channels;   // visualize_channels only
  Tensor images;                   // [N,C,H,W] in [0,1] (C = 3, or 1 for grey networks)
  std::vector<double> values;      // final objective per image
  std::vector<int> rescued_steps;  // steps each image was silent and rescued
  double seconds = 0;
  std::string description;          // the recipe's pieces, for logs
  std::vector<ProfileRow> profile;  // per network step, milliseconds per optimization step
};

using VisualizeCallback = std::function<void(const VisualizeProgress&)>;

// One image per channel of `tensor`, each maximizing the channel's total square activity.
ChannelImages visualize_channels(const Model& model, const Preprocessing& preprocessing,
                                 const std::string& tensor, const std::vector<int64_t>& channels,
                                 const FeatureOptions& options,
                                 const VisualizeCallback& progress = {});

// `count` images maximizing `objective` (its terms without an image index apply to every image;
// a diversity term pushes them apart), each from its own random start (keys 0..count-1).
ChannelImages visualize_objective(const Model& model, const Preprocessing& preprocessing,
                                  const Objective& objective, int64_t count,
                                  const FeatureOptions& options,
                                  const VisualizeCallback& progress = {});

// "all", "7", "0-63", "1,5,9-12": channel indices in [0, channel_count). Error if malformed
// or out of range.
std::vector<int64_t> parse_channels(std::string_view spec, int64_t channel_count);

}  // namespace neuroscope
