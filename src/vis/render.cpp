#include "neuroscope/render.h"

#include "neuroscope/error.h"
#include "neuroscope/image.h"

namespace neuroscope {
namespace {

Shape network_input_shape(const RenderSetup& s, TransformChain& chain) {
  if (s.batch <= 0 || s.height <= 0 || s.width <= 0) throw error("render: empty image batch");
  const Shape seen = chain.prepare({s.batch, s.preprocessing.image_channels(), s.height, s.width});
  return {seen[0], s.preprocessing.network_channels(), seen[2], seen[3]};
}

NetworkOptions network_options(const Model& model, const RenderSetup& s, TransformChain& chain) {
  const auto inputs = model.inputs();
  if (inputs.size() != 1)
    throw error(model.path().string(), ": has ", inputs.size(),
                " inputs; visualization needs one image input");
  const ModelInput& in = inputs.front();
  if (in.shape.size() != 4)
    throw error(model.path().string(), ": input '", in.name, "' has shape ", to_string(in.shape),
                "; not an image input [N,C,H,W]");
  if (in.shape[1] > 0 && in.shape[1] != s.preprocessing.network_channels())
    throw error(model.path().string(), ": input '", in.name, "' has ", in.shape[1],
                " channels but the preprocessing (", color_order_name(s.preprocessing.color_order),
                ") gives ", s.preprocessing.network_channels(), "; set the colour order");
  std::vector<std::string> outputs;  // the network's; image-space terms read no tensor
  for (const std::string& t : s.tensors)
    if (t != kImageTensor) outputs.push_back(model.resolve_tensor(t));
  if (outputs.empty()) throw error("render: no tensors to optimize");
  std::map<std::string, std::vector<int64_t>> read_channels;
  for (const auto& [t, channels] : s.read_channels)
    if (t != kImageTensor) read_channels[model.resolve_tensor(t)] = channels;
  return {.input_shapes = {{in.name, network_input_shape(s, chain)}},
          .outputs = outputs,
          .precision = s.precision,
          .read_channels = read_channels};
}

}  // namespace

std::mt19937_64 image_rng(uint64_t seed, uint64_t key) {
  std::seed_seq seq{static_cast<uint32_t>(seed), static_cast<uint32_t>(seed >> 32),
                    static_cast<uint32_t>(key), static_cast<uint32_t>(key >> 32), 0x6e7363u};
  return std::mt19937_64(seq);
}

Renderer::Renderer(const Model& model, RenderSetup setup, std::unique_ptr<Parameterization> param,
                   TransformChain transforms, std::unique_ptr<Optimizer> optimizer)
    : setup_(std::move(setup)),
      param_(std::move(param)),
      transforms_(std::move(transforms)),
      optimizer_(std::move(optimizer)),
      net_(model, network_options(model, setup_, transforms_)),
      images_({setup_.batch, setup_.preprocessing.image_channels(), setup_.height, setup_.width}),
      image_grad_(images_.shape()),
      seen_grad_(transforms_.prepare(images_.shape())),
      image_term_grad_(images_.shape()) {}

std::string Renderer::describe() const {
  return param_->name() + " parameterization; transforms: " + transforms_.describe() + "; " +
         optimizer_->describe() + "; " + std::to_string(setup_.steps) + " steps";
}

bool Renderer::can_run(const Objective& objective) const {
  const auto read = objective.channels_read();
  for (const std::string& t : objective.tensors()) {
    if (std::find(setup_.tensors.begin(), setup_.tensors.end(), t) == setup_.tensors.end())
      return false;
    auto channels = read.find(t);
    if (channels == read.end() ? !net_.computes_all_channels(t)
                               : !net_.computes_channels(t, channels->second))
      return false;
  }
  return true;
}

RenderResult Renderer::run(const Objective& objective, std::span<const uint64_t> image_keys,
                           uint64_t seed,
                           const std::function<void(const RenderProgress&)>& progress,
                           const Tensor* start_images) {
  if (static_cast<int64_t>(image_keys.size()) != setup_.batch)
    throw error("render: ", image_keys.size(), " image keys for a batch of ", setup_.batch);
  for (const std::string& t : objective.tensors())
    if (std::find(setup_.tensors.begin(), setup_.tensors.end(), t) == setup_.tensors.end())
      throw error("objective reads '", t, "', which the renderer was not compiled for");
  if (!can_run(objective))
    throw error("objective '", objective.describe(),
                "' reads channels the renderer was compiled to skip (RenderSetup::read_channels)");
  const auto start = std::chrono::steady_clock::now();
  ImageRngs rngs;
  for (uint64_t key : image_keys) rngs.push_back(image_rng(seed, key));

  param_->initialize(setup_.batch, images_.dim(1), setup_.height, setup_.width, rngs);
  if (start_images) {
    if (start_images->shape() != images_.shape())
      throw error("render: start images have shape ", to_string(start_images->shape()),
                  ", expected ", to_string(images_.shape()));
    for (int64_t b = 0; b < setup_.batch; ++b) param_->start_from(b, batch_item(*start_images, b));
  } else if (setup_.start_image) {
    if (setup_.start_image->shape() != Shape{images_.dim(1), setup_.height, setup_.width})
      throw error("render: start image has shape ", to_string(setup_.start_image->shape()),
                  ", expected [", images_.dim(1), ",", setup_.height, ",", setup_.width, "]");
    for (int64_t b = 0; b < setup_.batch; ++b) param_->start_from(b, *setup_.start_image);
  }
  rescued_.assign(static_cast<size_t>(setup_.batch), 0);
  silent_.assign(static_cast<size_t>(setup_.batch), 0);
  std::span<float> theta = param_->parameters();
  theta_grad_.assign(theta.size(), 0.0f);
  optimizer_->reset(theta.size(), setup_.batch);
  // Image-space terms read the rendered image and write their own gradient, added to the
  // image gradient after the transformations' backward.
  BoundObjective bound(
      objective,
      [&](const std::string& n) -> const Tensor& {
        return n == kImageTensor ? images_ : net_.output(n);
      },
      [&](const std::string& n) -> Tensor& {
        return n == kImageTensor ? image_term_grad_ : net_.output_gradient(n);
      });
  const bool reads_image = objective.reads_image();
  const bool reads_network = !objective.tensors().empty();
  const std::string input_name = net_.input_names().front();

  for (int step = 0; step < setup_.steps; ++step) {
    param_->render(images_);
    transforms_.sample(rngs);
    const Tensor& seen = transforms_.forward(images_);
    setup_.preprocessing.apply(seen, net_.input(input_name));
    net_.forward();
    const std::vector<double>& values = bound.evaluate(setup_.rescue_silent);
    if (setup_.rescue_silent) {
      for (size_t b = 0; b < values.size(); ++b) {
        silent_[b] = reads_network && bound.network_values()[b] == 0.0;
        rescued_[b] += silent_[b];
      }
      net_.redirect_relu_gradients(silent_);
    }
    net_.backward();
    setup_.preprocessing.backward(net_.input_gradient(input_name), seen_grad_);
    transforms_.backward(seen_grad_, image_grad_);
    if (reads_image) add_image_term_gradient();
    param_->backward(image_grad_, theta_grad_);
    optimizer_->step(theta, theta_grad_);
    param_->project();
    if (progress) {
      const double elapsed =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      progress({step + 1, setup_.steps, elapsed, &values});
    }
  }
  RenderResult result;
  param_->render(images_);
  result.images = images_;
  result.values = evaluate_clean(bound);
  result.rescued_steps = rescued_;
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return result;
}

void Renderer::add_image_term_gradient() {
  float* g = image_grad_.data();
  const float* extra = image_term_grad_.data();
  for (int64_t i = 0; i < image_grad_.size(); ++i) g[i] += extra[i];
}

std::vector<double> Renderer::evaluate_clean(BoundObjective& bound) {
  Tensor& input = net_.input(net_.input_names().front());
  if (input.dim(2) != setup_.height || input.dim(3) != setup_.width) return bound.evaluate();
  setup_.preprocessing.apply(images_, input);
  net_.forward();
  return bound.evaluate();
}

}  // namespace neuroscope
