// bench/reference_render.h: the reference feature-visualization render on the real GoogLeNet,
// put together exactly as `neuroscope feature` / visualize_channels does (pixel
// parameterization, wrap-around jitter of 8 px, the model's preprocessing, total square
// activity of one channel per image, gradient normalized to 1/8, silent-channel rescue), with
// the time of every step. Shared by the benchmark programs in bench/.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "neuroscope/model.h"
#include "neuroscope/render.h"

namespace neuroscope::bench {

// ../shared/models/googlenet/googlenet-bvlc.onnx (the folder is baked in at configure time).
std::filesystem::path googlenet_path();

// The channels the images of a batch maximize, one per image: the reference channels of the
// shared model's README for inception_3b/4d, a few classes for the logits; bench/torch_googlenet.py
// uses the same lists. neuroscope skips the inception branches no image's channel comes from
// (RenderSetup::read_channels), so a step's cost depends on the branches: batch 1 takes a channel
// of the costliest branch (3x3), batch 8 spans the 1x1 and 3x3 branches.
std::vector<int64_t> reference_channels(const std::string& tensor, int64_t batch);

struct RenderCase {
  std::string tensor;
  int64_t batch = 1;
  int64_t size = 224;
  int steps = 8;
  Precision precision = Precision::kFloat32;
  // Compute the whole layer, as before RenderSetup::read_channels (for before/after figures).
  bool whole_layer = false;
};

class ReferenceRender {
 public:
  // Compiles the network (the expensive part); no step runs yet.
  ReferenceRender(const Model& model, const RenderCase& c);

  // Renders one batch; returns the seconds of every step (the first includes drawing the start
  // images). `after_step(k)` runs after step k (1-based); its time is in no step.
  std::vector<double> run(const std::function<void(int)>& after_step = {});

  Network& network() { return renderer_->network(); }
  const RenderCase& render_case() const { return case_; }

 private:
  RenderCase case_;
  std::unique_ptr<Renderer> renderer_;
  Objective objective_;
  std::vector<uint64_t> keys_;
};

}  // namespace neuroscope::bench
