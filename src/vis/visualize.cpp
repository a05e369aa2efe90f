#include "neuroscope/visualize.h"

#include <algorithm>
#include <charconv>
#include <chrono>

#include "neuroscope/error.h"
#include "neuroscope/image.h"
#include "neuroscope/render.h"

namespace neuroscope {
namespace {

// Channels of `tensor` when the model sees images of `size` x `size`.
int64_t channel_count(const Model& model, const std::string& tensor, int64_t size) {
  const std::string input = model.inputs().front().name;
  Shape shape = model.default_input_shape(input);
  if (shape.size() == 4) shape[2] = shape[3] = size;
  const Shape t = model.tensor_shape(tensor, {{input, shape}});
  return TensorInfo{tensor, "", "", t}.channels();
}

}  // namespace

std::vector<int64_t> parse_channels(std::string_view spec, int64_t count) {
  auto number = [&](std::string_view s) {
    int64_t v = 0;
    const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || ptr != s.data() + s.size() || s.empty())
      throw error("channels '", spec, "': '", s, "' is not a channel number");
    if (v < 0 || v >= count)
      throw error("channel ", v, " is out of range: the layer has ", count, " channels (0..",
                  count - 1, ")");
    return v;
  };
  std::vector<int64_t> channels;
  if (spec == "all") {
    for (int64_t c = 0; c < count; ++c) channels.push_back(c);
    return channels;
  }
  size_t start = 0;
  while (start <= spec.size()) {
    const size_t comma = std::min(spec.find(',', start), spec.size());
    const std::string_view item = spec.substr(start, comma - start);
    const size_t dash = item.find('-');
    if (dash == std::string_view::npos) {
      channels.push_back(number(item));
    } else {
      const int64_t lo = number(item.substr(0, dash)), hi = number(item.substr(dash + 1));
      if (hi < lo) throw error("channels '", spec, "': range ", item, " is empty");
      for (int64_t c = lo; c <= hi; ++c) channels.push_back(c);
    }
    start = comma + 1;
  }
  if (channels.empty()) throw error("no channels given");
  return channels;
}

ChannelImages visualize_channels(const Model& model, const Preprocessing& pre, const std::string& tensor,
                                 const std::vector<int64_t>& channels, const FeatureOptions& options,
                                 const std::function<void(const VisualizeProgress&)>& progress) {
  if (channels.empty()) throw error("no channels to visualize");
  if (options.steps < 0) throw error("steps must not be negative");
  if (options.batch < 1) throw error("batch must be at least 1");
  const std::string name = model.resolve_tensor(tensor);
  const int64_t size = options.size > 0 ? options.size : pre.default_size;
  const int64_t count = channel_count(model, name, size);
  for (int64_t c : channels)
    if (c < 0 || c >= count)
      throw error("channel ", c, " is out of range: '", name, "' has ", count, " channels (0..",
                  count - 1, ")");

  const auto start = std::chrono::steady_clock::now();
  ChannelImages out;
  out.tensor = name;
  out.channels = channels;
  const auto n = static_cast<int64_t>(channels.size());
  out.images = Tensor({n, pre.image_channels(), size, size});
  std::optional<Tensor> start_image;
  if (options.start) {
    if (options.start->rank() != 3 || options.start->dim(0) != 3)
      throw error("start image must be [3,H,W] RGB, got ", to_string(options.start->shape()));
    Tensor sized = resize_bilinear(*options.start, size, size);
    start_image = pre.image_channels() == 1 ? to_grey(sized) : sized;
  }
  std::unique_ptr<Renderer> renderer;
  for (int64_t first = 0; first < n; first += options.batch) {
    const int64_t batch = std::min(options.batch, n - first);
    if (!renderer || renderer->setup().batch != batch) {
      TransformChain transforms;
      if (options.jitter > 0) transforms.add(make_jitter(options.jitter, JitterMode::kWrap));
      renderer = std::make_unique<Renderer>(
          model,
          RenderSetup{.preprocessing = pre, .height = size, .width = size, .batch = batch,
                      .tensors = {name}, .steps = options.steps,
                      .rescue_silent = options.rescue_silent, .precision = options.precision, .start_image = start_image},
          make_pixel_param(), std::move(transforms), make_normalized_ascent(options.step_size));
      out.description = renderer->describe();
      renderer->network().set_profiling(options.profile);
    }
    Objective objective;
    std::vector<uint64_t> keys;
    for (int64_t i = 0; i < batch; ++i) {
      const int64_t c = channels[static_cast<size_t>(first + i)];
      objective = objective + Objective::channel(name, c, i);
      keys.push_back(static_cast<uint64_t>(c));
    }
    auto report = [&](const RenderProgress& p) {
      if (!progress) return;
      double mean = 0;
      for (double v : *p.values) mean += v / static_cast<double>(p.values->size());
      progress({first, n, p.step, p.steps, first, batch,
                std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(), mean});
    };
    RenderResult r = renderer->run(objective, keys, options.seed, report);
    std::copy(r.images.values().begin(), r.images.values().end(),
              out.images.data() + first * pre.image_channels() * size * size);
    out.values.insert(out.values.end(), r.values.begin(), r.values.end());
    out.rescued_steps.insert(out.rescued_steps.end(), r.rescued_steps.begin(), r.rescued_steps.end());
    if (options.profile) {
      for (const ProfileRow& row : renderer->network().profile()) out.profile.push_back(row);
      renderer->network().reset_profile();
    }
  }
  out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return out;
}

}  // namespace neuroscope
