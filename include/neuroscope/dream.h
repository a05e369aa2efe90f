// neuroscope/dream.h: DeepDream on a photo (Mordvintsev, Olah & Tyka, 2015): gradient ascent
// on a layer's mean squared activation, starting from the photo, octave by octave.
//
//   Tensor photo = neuroscope::read_image("owl.jpg");               // any size
//   DreamOptions options;                                           // 4 octaves x 10 steps
//   options.layers = {"inception_4c/output"};                       // empty: default_dream_layer
//   DreamResult r = neuroscope::dream(model, preprocessing, photo, options);
//   write_png("dream.png", r.image);                                // the photo's size
//
// The photo is shrunk by `octave_scale` per octave; from the smallest to the full size, each
// octave starts from the photo at that size plus the detail (dreamed minus photo) of the
// previous octave, enlarged, runs `steps` steps (random wrap-around shift, gradient scaled to a
// mean absolute value of `step_size`, pixels kept in [0,1]) and keeps the new detail.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "neuroscope/model.h"
#include "neuroscope/network.h"
#include "neuroscope/optimizer.h"
#include "neuroscope/preprocess.h"
#include "neuroscope/tensor.h"

namespace neuroscope {

struct DreamOptions {
  std::vector<std::string> layers;       // the objective: sum of their mean squared activations
  int octaves = 4;                       // at most this many; fewer when the photo is small
  double octave_scale = 1.4;             // size ratio of neighbouring octaves, > 1
  int steps = 10;                        // per octave
  float step_size = kDeepDreamStepSize;  // mean |change| of a pixel per step, [0,1] units
  int64_t jitter = 32;                   // largest random shift per step (wrap-around), pixels
  int64_t min_octave_side = 32;          // octaves whose shorter side would be smaller are dropped
  uint64_t seed = 0;
  Precision precision = Precision::kFloat32;
};

struct OctaveSize {
  int64_t height = 0, width = 0;
  bool operator==(const OctaveSize&) const = default;
};

struct DreamProgress {
  int octave = 0, octaves = 0;  // octave being processed (0 = smallest)
  int step = 0, steps = 0;      // within it
  OctaveSize size;
  double elapsed_seconds = 0;
  double value = 0;  // the objective at this step (on the shifted image)
};

struct DreamResult {
  Tensor image;                     // [C,H,W] in [0,1], the photo's size; C = 1 for grey networks
  std::vector<std::string> layers;  // canonical tensor names
  std::vector<OctaveSize> octaves;  // the sizes processed, smallest first
  std::vector<double> values;       // objective at the end of each octave (unshifted image)
  int octaves_requested = 0;        // options.octaves (octaves.size() may be smaller)
  double seconds = 0;
  std::string description;  // the recipe's pieces, for logs
};

// Octave sizes from the smallest to (height, width): each is the next larger one divided by
// `scale`, rounded (the notebook's successive zooms); as many of `octaves` as keep the
// shorter side >= min_side (always at least the full size). Error for octaves < 1 or scale <= 1.
std::vector<OctaveSize> octave_sizes(int64_t height, int64_t width, int octaves, double scale,
                                     int64_t min_side);

// The layer DeepDream uses when none is given: `inception_4c/output` (GoogLeNet's classic) when
// the model has it; otherwise, among the model's block outputs -- Concat outputs (Inception),
// else Add outputs (ResNets), else Relu outputs -- that are 4-D with more than one position at
// the default input size, the last one within the first two thirds (floor(2n/3)-th of n).
std::string default_dream_layer(const Model& model);

DreamResult dream(const Model& model, const Preprocessing& preprocessing, const Tensor& photo,
                  const DreamOptions& options,
                  const std::function<void(const DreamProgress&)>& progress = {});

}  // namespace neuroscope
