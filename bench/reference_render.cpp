#include "reference_render.h"

#include <chrono>
#include <map>

#include "neuroscope/preprocess.h"

namespace neuroscope::bench {
namespace {

using Clock = std::chrono::steady_clock;

constexpr int64_t kJitter = 8;
constexpr float kStepSize = 1.0f / 8;

}  // namespace

std::filesystem::path googlenet_path() {
  return std::filesystem::path(NEUROSCOPE_SHARED_DIR) / "models/googlenet/googlenet-bvlc.onnx";
}

std::vector<int64_t> reference_channels(const std::string& tensor, int64_t batch) {
  static const std::map<std::string, std::vector<int64_t>> kChannels = {
      {"inception_3b/output", {130, 5, 41, 77, 199, 233, 268, 301}},
      {"inception_4d/output", {140, 3, 60, 97, 181, 222, 265, 318}},
      {"loss3/classifier", {1, 76, 130, 291, 309, 417, 817, 967}}};
  const auto it = kChannels.find(tensor);
  const std::vector<int64_t> base = it == kChannels.end() ? std::vector<int64_t>{0} : it->second;
  std::vector<int64_t> channels;
  for (int64_t i = 0; i < batch; ++i)
    channels.push_back(base[static_cast<size_t>(i) % base.size()]);
  return channels;
}

ReferenceRender::ReferenceRender(const Model& model, const RenderCase& c) : case_(c) {
  const std::vector<int64_t> channels = reference_channels(c.tensor, c.batch);
  for (int64_t i = 0; i < c.batch; ++i) {
    const int64_t channel = channels[static_cast<size_t>(i)];
    objective_ = objective_ + Objective::channel(c.tensor, channel, i);
    keys_.push_back(static_cast<uint64_t>(channel));
  }
  TransformChain transforms;
  transforms.add(make_jitter(kJitter, JitterMode::kWrap));
  renderer_ = std::make_unique<Renderer>(
      model,
      RenderSetup{.preprocessing = resolve_preprocessing(model, {}),
                  .height = c.size,
                  .width = c.size,
                  .batch = c.batch,
                  .tensors = {c.tensor},
                  .steps = c.steps,
                  .read_channels = c.whole_layer ? std::map<std::string, std::vector<int64_t>>()
                                                 : objective_.channels_read(),
                  .precision = c.precision},
      make_pixel_param(), std::move(transforms), make_normalized_ascent(kStepSize));
}

std::vector<double> ReferenceRender::run(const std::function<void(int)>& after_step) {
  std::vector<double> seconds;
  seconds.reserve(static_cast<size_t>(case_.steps));
  Clock::time_point step_start = Clock::now();
  renderer_->run(objective_, keys_, /*seed=*/0, [&](const RenderProgress& p) {
    seconds.push_back(std::chrono::duration<double>(Clock::now() - step_start).count());
    if (after_step) after_step(p.step);
    step_start = Clock::now();
  });
  return seconds;
}

}  // namespace neuroscope::bench
