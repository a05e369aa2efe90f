// DeepDream: the 2015 notebook's octave loop around the Renderer (one Renderer per octave, as
// each is compiled for one image size).
#include "neuroscope/dream.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>
#include <sstream>

#include "neuroscope/error.h"
#include "neuroscope/image.h"
#include "neuroscope/objective.h"
#include "neuroscope/render.h"

namespace neuroscope {
namespace {

constexpr const char* kClassicLayer = "inception_4c/output";

const ModelInput& image_input(const Model& model, const std::vector<ModelInput>& inputs) {
  if (inputs.size() != 1)
    throw error(model.path().string(), ": has ", inputs.size(),
                " inputs; dream needs one image input");
  if (inputs.front().shape.size() != 4)
    throw error(model.path().string(), ": input '", inputs.front().name, "' has shape ",
                to_string(inputs.front().shape), "; not an image input [N,C,H,W]");
  return inputs.front();
}

// Whether the network computes every layer for images of `size` (a pooling or convolution
// window may not fit a small one). The message of the first failure goes to `why`.
bool network_accepts(const Model& model, const std::vector<std::string>& layers, int64_t channels,
                     OctaveSize size, std::string& why) {
  const std::vector<ModelInput> inputs = model.inputs();
  const std::map<std::string, Shape> shapes = {
      {image_input(model, inputs).name, {1, channels, size.height, size.width}}};
  try {
    for (const std::string& layer : layers) model.tensor_shape(layer, shapes);
    return true;
  } catch (const Error& e) {
    why = e.what();
    return false;
  }
}

// [C,H,W] photo -> the network's image channels (grey: luma; a grey photo for a colour
// network: the grey value in all three channels).
Tensor photo_for(const Preprocessing& pre, const Tensor& photo) {
  if (photo.rank() != 3 || (photo.dim(0) != 3 && photo.dim(0) != 1) || photo.dim(1) < 1 ||
      photo.dim(2) < 1)
    throw error("dream: the photo must be [3,H,W] (RGB) or [1,H,W] (grey), got ",
                to_string(photo.shape()));
  const int64_t channels = pre.image_channels();
  if (photo.dim(0) == channels) return photo;
  if (channels == 1) return to_grey(photo);
  Tensor rgb({3, photo.dim(1), photo.dim(2)});
  const int64_t plane = photo.dim(1) * photo.dim(2);
  for (int64_t c = 0; c < 3; ++c)
    std::copy(photo.data(), photo.data() + plane, rgb.data() + c * plane);
  return rgb;
}

// a + b, clamped to [0,1] (the start of an octave: its photo plus the carried detail).
Tensor clamped_sum(const Tensor& a, const Tensor& b) {
  Tensor out(a.shape());
  for (int64_t i = 0; i < a.size(); ++i) out[i] = std::clamp(a[i] + b[i], 0.0f, 1.0f);
  return out;
}

Tensor difference(const Tensor& a, const Tensor& b) {
  Tensor out(a.shape());
  for (int64_t i = 0; i < a.size(); ++i) out[i] = a[i] - b[i];
  return out;
}

Objective layers_objective(const std::vector<std::string>& layers) {
  Objective objective;
  for (const std::string& layer : layers) objective = objective + Objective::layer(layer);
  return objective;
}

std::vector<std::string> resolve_layers(const Model& model,
                                        const std::vector<std::string>& layers) {
  if (layers.empty()) return {default_dream_layer(model)};
  std::vector<std::string> names;
  for (const std::string& layer : layers) {
    const std::string name = model.resolve_tensor(layer);
    if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
  }
  return names;
}

void check_options(const DreamOptions& o) {
  if (o.octaves < 1) throw error("dream: octaves must be at least 1 (got ", o.octaves, ")");
  if (!(o.octave_scale > 1.0) || !std::isfinite(o.octave_scale))
    throw error("dream: octave scale must be a number greater than 1 (got ", o.octave_scale, ")");
  if (o.steps < 0) throw error("dream: steps must not be negative (got ", o.steps, ")");
  if (!(o.step_size > 0)) throw error("dream: step size must be positive (got ", o.step_size, ")");
  if (o.jitter < 0) throw error("dream: jitter must not be negative (got ", o.jitter, ")");
}

bool is_block_output(const TensorInfo& t, const std::string& op) {
  return t.op == op && t.shape_known && t.shape.size() == 4 && t.shape[2] * t.shape[3] > 1;
}

// One octave's optimization: DeepDream's step on the photo-plus-detail `start` of `size`.
Renderer octave_renderer(const Model& model, const Preprocessing& pre, const DreamOptions& options,
                         const std::vector<std::string>& layers, OctaveSize size, Tensor start) {
  TransformChain jitter;
  if (options.jitter > 0) jitter.add(make_jitter(options.jitter, JitterMode::kWrap));
  return Renderer(model,
                  RenderSetup{.preprocessing = pre,
                              .height = size.height,
                              .width = size.width,
                              .batch = 1,
                              .tensors = layers,
                              .steps = options.steps,
                              .rescue_silent = false,  // a photo is never silent everywhere
                              .precision = options.precision,
                              .start_image = std::move(start)},
                  make_pixel_param(), std::move(jitter),
                  make_mean_normalized_ascent(options.step_size));
}

}  // namespace

std::vector<OctaveSize> octave_sizes(int64_t height, int64_t width, int octaves, double scale,
                                     int64_t min_side) {
  if (height < 1 || width < 1) throw error("dream: empty photo (", height, "x", width, ")");
  if (octaves < 1) throw error("dream: octaves must be at least 1 (got ", octaves, ")");
  if (!(scale > 1.0) || !std::isfinite(scale))
    throw error("dream: octave scale must be a number greater than 1 (got ", scale, ")");
  std::vector<OctaveSize> sizes = {{height, width}};
  while (static_cast<int>(sizes.size()) < octaves) {
    const OctaveSize& last = sizes.back();
    const OctaveSize next{std::llround(static_cast<double>(last.height) / scale),
                          std::llround(static_cast<double>(last.width) / scale)};
    if (std::min(next.height, next.width) < std::max<int64_t>(min_side, 1)) break;
    sizes.push_back(next);
  }
  std::reverse(sizes.begin(), sizes.end());
  return sizes;
}

std::string default_dream_layer(const Model& model) {
  const std::vector<TensorInfo> tensors = model.tensors();
  for (const TensorInfo& t : tensors)
    if (t.name == kClassicLayer) return t.name;
  for (const char* op : {"Concat", "Add", "Relu"}) {
    std::vector<const TensorInfo*> blocks;
    for (const TensorInfo& t : tensors)
      if (is_block_output(t, op)) blocks.push_back(&t);
    if (blocks.empty()) continue;
    const size_t index = std::max<size_t>(2 * blocks.size() / 3, 1) - 1;
    return blocks[index]->name;
  }
  throw error(model.path().string(),
              ": no Concat, Add or Relu output with spatial positions to "
              "dream on; choose a layer (see 'neuroscope layers')");
}

DreamResult dream(const Model& model, const Preprocessing& pre, const Tensor& photo_in,
                  const DreamOptions& options,
                  const std::function<void(const DreamProgress&)>& progress) {
  check_options(options);
  image_input(model, model.inputs());
  const auto start = std::chrono::steady_clock::now();
  const Tensor photo = photo_for(pre, photo_in);
  DreamResult out;
  out.layers = resolve_layers(model, options.layers);
  out.octaves_requested = options.octaves;

  out.octaves = octave_sizes(photo.dim(1), photo.dim(2), options.octaves, options.octave_scale,
                             options.min_octave_side);
  std::string why;
  while (!network_accepts(model, out.layers, photo.dim(0), out.octaves.front(), why)) {
    if (out.octaves.size() == 1)
      throw error("dream: the photo (", photo.dim(2), "x", photo.dim(1),
                  ") is too small for the network: ", why);
    out.octaves.erase(out.octaves.begin());
  }

  // The photo at every octave's size, by successive shrinking as in the notebook.
  const size_t count = out.octaves.size();
  std::vector<Tensor> bases(count);
  bases[count - 1] = photo;
  for (size_t k = count - 1; k-- > 0;)
    bases[k] = resize_bilinear(bases[k + 1], out.octaves[k].height, out.octaves[k].width);

  const Objective objective = layers_objective(out.layers);
  Tensor detail(bases.front().shape());  // zero
  for (size_t k = 0; k < count; ++k) {
    const OctaveSize size = out.octaves[k];
    if (k > 0) detail = resize_bilinear(detail, size.height, size.width);
    auto report = [&](const RenderProgress& p) {
      if (progress)
        progress({static_cast<int>(k), static_cast<int>(count), p.step, p.steps, size,
                  std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(),
                  p.values->front()});
    };
    Renderer renderer =
        octave_renderer(model, pre, options, out.layers, size, clamped_sum(bases[k], detail));
    if (k == 0) out.description = renderer.describe();
    const uint64_t key = k;  // each octave its own shifts
    const RenderResult r = renderer.run(objective, std::span(&key, 1), options.seed, report);
    const Tensor dreamed = batch_item(r.images, 0);
    out.values.push_back(r.values.front());
    detail = difference(dreamed, bases[k]);
    if (k + 1 == count) out.image = dreamed;
  }
  std::ostringstream octaves;
  octaves << " per octave; " << count << " octaves (scale " << options.octave_scale << ")";
  out.description += octaves.str();
  out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return out;
}

}  // namespace neuroscope
