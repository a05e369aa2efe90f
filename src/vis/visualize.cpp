#include "neuroscope/visualize.h"

#include <algorithm>
#include <chrono>
#include <memory>

#include "neuroscope/dream.h"
#include "neuroscope/error.h"
#include "neuroscope/image.h"
#include "neuroscope/render.h"
#include "vis/spec_number.h"

namespace neuroscope {
namespace {

using Clock = std::chrono::steady_clock;

// The smallest octave a recipe renders: below this, deep layers of ImageNet networks have no
// positions left to respond with.
constexpr int64_t kMinimumOctaveSide = 32;

// Channels of `tensor` when the model sees images of `size` x `size`.
int64_t channel_count(const Model& model, const std::string& tensor, int64_t size) {
  const std::string input = model.inputs().front().name;
  Shape shape = model.default_input_shape(input);
  if (shape.size() == 4) shape[2] = shape[3] = size;
  const Shape t = model.tensor_shape(tensor, {{input, shape}});
  return TensorInfo{tensor, "", "", t}.channels();
}

// Every image of `images` [N,C,H,W] resized to size x size.
Tensor resize_batch(const Tensor& images, int64_t size) {
  Tensor out({images.dim(0), images.dim(1), size, size});
  for (int64_t b = 0; b < images.dim(0); ++b) {
    const Tensor one = resize_bilinear(batch_item(images, b), size, size);
    std::copy(one.values().begin(), one.values().end(), out.data() + b * one.size());
  }
  return out;
}

// Renders batches of images with one recipe: one Renderer per octave (each is compiled for one
// image size), reused from batch to batch while the batch size stays the same. Octaves run from
// the smallest size up; each starts from the previous one's images, enlarged.
class BatchRenderer {
 public:
  BatchRenderer(const Model& model, const Preprocessing& pre, std::vector<std::string> tensors,
                const FeatureOptions& options, int64_t size)
      : model_(model), pre_(pre), tensors_(std::move(tensors)), options_(options) {
    options.recipe.build();  // every piece parses, before any work
    for (const OctaveSize& s : octave_sizes(size, size, options.recipe.octaves,
                                            options.recipe.octave_scale, kMinimumOctaveSide))
      sizes_.push_back(s.height);
    renderers_.resize(sizes_.size());
    if (options.start) {
      if (options.start->rank() != 3 || options.start->dim(0) != 3)
        throw error("start image must be [3,H,W] RGB, got ", to_string(options.start->shape()));
      Tensor sized = resize_bilinear(*options.start, sizes_.front(), sizes_.front());
      start_ = pre.image_channels() == 1 ? to_grey(sized) : std::move(sized);
    }
  }

  int64_t size() const { return sizes_.back(); }
  int steps() const { return options_.recipe.steps * static_cast<int>(sizes_.size()); }
  const std::string& description() const { return description_; }

  // `progress(step, values)` after every step, counted over all octaves.
  RenderResult render(const Objective& objective, std::span<const uint64_t> keys,
                      const std::function<void(int, const std::vector<double>&)>& progress) {
    const auto batch = static_cast<int64_t>(keys.size());
    RenderResult result;
    std::vector<int> rescued(keys.size(), 0);
    for (size_t k = 0; k < sizes_.size(); ++k) {
      Renderer& r = renderer(k, batch, objective);
      const Tensor carried = k > 0 ? resize_batch(result.images, sizes_[k]) : Tensor();
      const int done = options_.recipe.steps * static_cast<int>(k);
      // Octaves draw their own random streams: the same jitter sequence at every size would
      // leave the same seams.
      result = r.run(
          objective, keys, options_.seed + 0x9e3779b97f4a7c15ULL * k,
          [&](const RenderProgress& p) { progress(done + p.step, *p.values); },
          k > 0 ? &carried : nullptr);
      for (size_t i = 0; i < rescued.size(); ++i) rescued[i] += result.rescued_steps[i];
    }
    result.rescued_steps = rescued;
    return result;
  }

  void collect_profile(std::vector<ProfileRow>& rows) {
    for (auto& r : renderers_) {
      if (!r) continue;
      for (const ProfileRow& row : r->network().profile()) rows.push_back(row);
      r->network().reset_profile();
    }
  }

 private:
  // The octave's renderer, compiled again when the batch size changes or when the objective
  // reads channels it skips: each is compiled for the channels its first objective reads, so
  // consecutive channels of one inception branch share one. (Profiles are collected after
  // every batch, so a replaced renderer has none left.)
  Renderer& renderer(size_t octave, int64_t batch, const Objective& objective) {
    std::unique_ptr<Renderer>& r = renderers_[octave];
    if (!r || r->setup().batch != batch || !r->can_run(objective)) {
      r.reset();  // its buffers go before the next one's are made
      RecipePieces pieces = options_.recipe.build();
      const int64_t side = sizes_[octave];
      r = std::make_unique<Renderer>(
          model_,
          RenderSetup{.preprocessing = pre_,
                      .height = side,
                      .width = side,
                      .batch = batch,
                      .tensors = tensors_,
                      .steps = options_.recipe.steps,
                      .rescue_silent = options_.rescue_silent,
                      .read_channels = objective.channels_read(),
                      .precision = options_.precision,
                      .start_image = octave == 0 ? start_ : std::nullopt},
          std::move(pieces.param), std::move(pieces.transforms), std::move(pieces.optimizer));
      r->network().set_profiling(options_.profile);
      description_ = r->describe();
      if (sizes_.size() > 1)
        description_ += " at each of " + std::to_string(sizes_.size()) + " octaves (" +
                        std::to_string(sizes_.front()) + " to " + std::to_string(sizes_.back()) +
                        " px)";
    }
    return *r;
  }

  const Model& model_;
  const Preprocessing& pre_;
  std::vector<std::string> tensors_;
  const FeatureOptions& options_;
  std::vector<int64_t> sizes_;  // octave sides, smallest first
  std::vector<std::unique_ptr<Renderer>> renderers_;
  std::optional<Tensor> start_;
  std::string description_;
};

// The recipe's pieces are checked by Recipe::build (in BatchRenderer).
void check_options(const FeatureOptions& options) {
  if (options.batch < 1) throw error("batch must be at least 1");
}

// Renders `keys.size()` images in batches of options.batch; `batch_objective(first, count)`
// gives the objective of images first..first+count-1 (image indices within the batch).
ChannelImages render_all(const Model& model, const Preprocessing& pre,
                         std::vector<std::string> tensors, const std::vector<uint64_t>& keys,
                         int64_t batch_size,
                         const std::function<Objective(int64_t, int64_t)>& batch_objective,
                         const FeatureOptions& options, const VisualizeCallback& progress) {
  const auto start = Clock::now();
  const int64_t size = options.size > 0 ? options.size : pre.default_size;
  BatchRenderer renderer(model, pre, std::move(tensors), options, size);
  const auto n = static_cast<int64_t>(keys.size());
  ChannelImages out;
  out.images = Tensor({n, pre.image_channels(), size, size});
  for (int64_t first = 0; first < n; first += batch_size) {
    const int64_t batch = std::min(batch_size, n - first);
    auto report = [&](int step, const std::vector<double>& values) {
      if (!progress) return;
      double mean = 0;
      for (double v : values) mean += v / static_cast<double>(values.size());
      progress({first, n, step, renderer.steps(), first, batch,
                std::chrono::duration<double>(Clock::now() - start).count(), mean});
    };
    const RenderResult r =
        renderer.render(batch_objective(first, batch),
                        std::span<const uint64_t>(keys).subspan(static_cast<size_t>(first),
                                                                static_cast<size_t>(batch)),
                        report);
    std::copy(r.images.values().begin(), r.images.values().end(),
              out.images.data() + first * pre.image_channels() * size * size);
    out.values.insert(out.values.end(), r.values.begin(), r.values.end());
    out.rescued_steps.insert(out.rescued_steps.end(), r.rescued_steps.begin(),
                             r.rescued_steps.end());
    if (options.profile) renderer.collect_profile(out.profile);
  }
  out.description = renderer.description();
  out.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  return out;
}

}  // namespace

std::vector<int64_t> parse_channels(std::string_view spec, int64_t count) {
  auto number = [&](std::string_view s) {
    const std::optional<int64_t> parsed = vis::whole_number<int64_t>(s);
    if (!parsed) throw error("channels '", spec, "': '", s, "' is not a channel number");
    const int64_t v = *parsed;
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

ChannelImages visualize_channels(const Model& model, const Preprocessing& pre,
                                 const std::string& tensor, const std::vector<int64_t>& channels,
                                 const FeatureOptions& options, const VisualizeCallback& progress) {
  if (channels.empty()) throw error("no channels to visualize");
  check_options(options);
  const std::string name = model.resolve_tensor(tensor);
  const int64_t count =
      channel_count(model, name, options.size > 0 ? options.size : pre.default_size);
  for (int64_t c : channels)
    if (c < 0 || c >= count)
      throw error("channel ", c, " is out of range: '", name, "' has ", count, " channels (0..",
                  count - 1, ")");
  // A channel's image follows from (seed, channel) alone, whichever batch it lands in.
  const std::vector<uint64_t> keys(channels.begin(), channels.end());
  ChannelImages out = render_all(
      model, pre, {name}, keys, options.batch,
      [&](int64_t first, int64_t batch) {
        Objective objective;
        for (int64_t i = 0; i < batch; ++i)
          objective = objective + options.recipe.channel_term(
                                      name, channels[static_cast<size_t>(first + i)], i);
        return objective;
      },
      options, progress);
  out.tensor = name;
  out.channels = channels;
  out.description += options.recipe.channel_objective == "mean"
                         ? "; objective: each channel's mean activation"
                         : "; objective: each channel's total square activity";
  return out;
}

ChannelImages visualize_objective(const Model& model, const Preprocessing& pre,
                                  const Objective& objective, int64_t count,
                                  const FeatureOptions& options,
                                  const VisualizeCallback& progress) {
  if (count < 1) throw error("need at least one image to render");
  check_options(options);
  if (objective.empty()) throw error("the objective has no terms");
  std::vector<std::string> tensors = objective.tensors();
  if (objective.reads_image()) tensors.emplace_back(kImageTensor);
  std::vector<uint64_t> keys(static_cast<size_t>(count));
  for (int64_t i = 0; i < count; ++i) keys[static_cast<size_t>(i)] = static_cast<uint64_t>(i);
  // One batch: terms such as diversity compare the images with each other.
  ChannelImages out = render_all(
      model, pre, tensors, keys, count, [&](int64_t, int64_t) { return objective; }, options,
      progress);
  out.tensor = objective.describe();
  return out;
}

}  // namespace neuroscope
