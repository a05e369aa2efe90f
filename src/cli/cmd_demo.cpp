// `neuroscope demo [DIR]`: the whole workflow on the built-in model, in one go.
#include <iostream>

#include "cli/command.h"
#include "cli/common.h"
#include "cli/vis_common.h"
#include "graph/graph.h"
#include "neuroscope/image.h"
#include "neuroscope/kernels.h"

namespace neuroscope::cli {
namespace {

// The deepest Concat output (the last inception module), else the last 4-D tensor.
std::string deepest_module(const Model& model) {
  std::string best;
  for (const graph::Node& node : model.graph().nodes)
    if (node.op_type == "Concat") best = node.outputs.at(0);
  if (!best.empty()) return best;
  for (const TensorInfo& t : model.tensors())
    if (t.shape.size() == 4) best = t.name;
  if (best.empty()) throw error(model.path().string(), ": no 4-D tensor to visualize");
  return best;
}

int run_demo(const Args& args) {
  namespace fs = std::filesystem;
  const fs::path dir = args.positional_count() > 0 ? fs::path(args.positional(0)) : fs::path("neuroscope-demo");
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) throw error("cannot create folder '", dir.string(), "': ", ec.message());
  const fs::path kernels_png = dir / "kernels.png", feature_png = dir / "feature.png",
                 grid_png = dir / "grid.png";
  check_output_files({{"DIR", kernels_png}, {"DIR", feature_png}, {"DIR", grid_png}});
  const bool quiet = args.has("quiet");

  const Model model = Model::load(builtin_model_path());
  const Preprocessing pre = resolve_preprocessing(model, {});
  const KernelGrid kernels = kernel_grid(model, pre, {});
  save_image(kernels_png, kernels.image);

  // The built-in model sees 28x28 images; rendering at 3x that shows its textures tiling.
  FeatureOptions options;
  options.size = 3 * pre.default_size;
  options.batch = 16;
  const std::string layer = deepest_module(model);
  const ChannelImages one = render_channels(model, pre, layer, {0}, options, "feature", quiet);
  save_image(feature_png, batch_item(one.images, 0));
  const int64_t count = TensorInfo{layer, "", "", model.tensor_shape(layer)}.channels();
  const std::vector<int64_t> channels = parse_channels("0-" + std::to_string(std::min<int64_t>(count, 16) - 1), count);
  const ChannelImages many = render_channels(model, pre, layer, channels, options, "grid", quiet);
  std::vector<Tensor> tiles;
  for (size_t i = 0; i < channels.size(); ++i) tiles.push_back(batch_item(many.images, static_cast<int64_t>(i)));
  write_png(grid_png, viewable_grid(tiles, 4));

  std::cout << "model     " << model.path().string() << "\n"
            << "kernels   " << kernels_png.string() << "  (" << kernels.weights_shape[0] << " kernels of "
            << kernels.conv << ")\n"
            << "feature   " << feature_png.string() << "  (" << layer << " channel 0)\n"
            << "grid      " << grid_png.string() << "  (" << layer << " channels 0-" << channels.size() - 1
            << ")\n"
            << "next: neuroscope layers   lists the tensors; neuroscope feature --layer T --channel C\n";
  return 0;
}

}  // namespace

extern const Command kDemoCommand{
    .spec = {.name = "demo",
             .summary = "Render kernels, a feature and a layer grid of the built-in model.",
             .positionals = {{"DIR", "where to write the pictures (default neuroscope-demo)", true}},
             .flags = {{.name = "quiet", .help = "no progress"}},
             .details = "Uses the model that ships with neuroscope (a small Inception-style network\n"
                        "trained on Fashion-MNIST), so it works offline on a fresh install."},
    .run = run_demo};

}  // namespace neuroscope::cli
