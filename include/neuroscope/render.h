// neuroscope/render.h: the optimization loop that turns an objective into images (Lucid's
// optvis.render). The one place that knows the loop:
//
//   image = param.render(theta); seen = transforms(image); input = preprocess(seen)
//   forward to the objective's tensors; objective value and gradient; backward to the input;
//   back through preprocessing, transforms and param; optimizer step on theta; param.project()
//
//   Renderer r(model, {.preprocessing = p, .height = 224, .width = 224, .batch = 8,
//                      .tensors = {"inception_4d/output"}, .steps = 256},
//              make_pixel_param(), std::move(chain), make_normalized_ascent(1.0f / 8));
//   RenderResult out = r.run(objective, keys, seed, progress_callback);
//
// Everything is allocated by the constructor and the first step; steps allocate nothing.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "neuroscope/model.h"
#include "neuroscope/network.h"
#include "neuroscope/objective.h"
#include "neuroscope/optimizer.h"
#include "neuroscope/param.h"
#include "neuroscope/preprocess.h"
#include "neuroscope/transform.h"

namespace neuroscope {

struct RenderSetup {
  Preprocessing preprocessing;
  int64_t height = 224, width = 224;
  int64_t batch = 1;
  // The tensors objectives may read (network truncated there); kImageTensor, if listed, is
  // skipped: image-space terms read the rendered image.
  std::vector<std::string> tensors;
  int steps = 256;
  // An image whose objective is exactly zero (its channel fires nowhere) has a zero gradient:
  // the bare reference recipe never moves it. Rescue such images the way Lucid does: seed their
  // objective gradient and redirect ReLU gradients for them (Network::redirect_relu_gradients).
  // Images with a nonzero objective, i.e. almost always all of them, are unaffected.
  bool rescue_silent = true;
  // Per tensor, the only channels objectives will read (Objective::channels_read); tensors not
  // listed are read whole. The network then skips work that feeds only other channels (an
  // inception module's other branches); run() refuses objectives reading those.
  std::map<std::string, std::vector<int64_t>> read_channels;
  Precision precision = Precision::kFloat32;  // of the network (see network.h)
  // Start every image from this picture ([C,H,W], C = preprocessing.image_channels(), the
  // render size, values in [0,1]) instead of noise; then silent starts are kept.
  std::optional<Tensor> start_image;
};

struct RenderProgress {
  int step = 0;  // steps done
  int steps = 0;
  double elapsed_seconds = 0;
  const std::vector<double>* values = nullptr;  // objective per image at this step
};

struct RenderResult {
  Tensor images;                   // [N,3,H,W], RGB in [0,1]
  std::vector<double> values;      // objective per image, evaluated on the final images
  std::vector<int> rescued_steps;  // steps each image was silent and rescued (rescue_silent)
  double seconds = 0;
};

class Renderer {
 public:
  Renderer(const Model& model, RenderSetup setup, std::unique_ptr<Parameterization> param,
           TransformChain transforms, std::unique_ptr<Optimizer> optimizer);

  // Renders one batch. `image_keys` (one per image) pick each image's random stream together
  // with `seed`: the same key and seed give the same image in any batch. `start_images`
  // ([N,C,H,W] in [0,1]), when given, start the images instead of setup().start_image or noise
  // (octaves start from the previous octave's images).
  RenderResult run(const Objective& objective, std::span<const uint64_t> image_keys, uint64_t seed,
                   const std::function<void(const RenderProgress&)>& progress = {},
                   const Tensor* start_images = nullptr);

  // Whether run() can render this objective: the network computes every channel it reads.
  bool can_run(const Objective& objective) const;
  Network& network() { return net_; }
  const RenderSetup& setup() const { return setup_; }
  std::string describe() const;

 private:
  // Final values on the untransformed images (when their size fits the compiled network).
  std::vector<double> evaluate_clean(BoundObjective& bound);
  // Adds the image-space terms' gradient (image_term_grad_) to image_grad_.
  void add_image_term_gradient();

  RenderSetup setup_;
  std::unique_ptr<Parameterization> param_;
  TransformChain transforms_;
  std::unique_ptr<Optimizer> optimizer_;
  Network net_;
  Tensor images_, image_grad_, seen_grad_;
  Tensor image_term_grad_;  // gradient of image-space objective terms (kImageTensor)
  std::vector<float> theta_grad_;
  std::vector<int> rescued_;
  std::vector<uint8_t> silent_;
};

// The random stream of one image: a function of (seed, key) only.
std::mt19937_64 image_rng(uint64_t seed, uint64_t key);

}  // namespace neuroscope
