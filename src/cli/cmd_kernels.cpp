// `neuroscope kernels [MODEL]`: the first convolution's kernels (or a named one's) as a grid.
#include <iostream>

#include "cli/command.h"
#include "cli/common.h"
#include "cli/vis_common.h"
#include "neuroscope/image.h"
#include "neuroscope/kernels.h"

namespace neuroscope::cli {
namespace {

int run_kernels(const Args& args) {
  const std::filesystem::path out = args.value("output").value_or("kernels.png");
  check_output_files({{"--output", out}});
  const Model model = load_model_argument(args, 0);
  const Preprocessing pre = preprocessing_from(model, args);
  KernelGridOptions options;
  options.layer = args.value("layer");
  if (auto c = args.integer("columns")) {
    if (*c < 1) throw usage_error("--columns: must be at least 1");
    options.columns = *c;
  }
  const KernelGrid grid = kernel_grid(model, pre, options);
  write_png(out, grid.image);
  const Shape& w = grid.weights_shape;
  if (args.has("json")) {
    print_json({{"file", out.string()}, {"conv", grid.conv}, {"weights_shape", w},
                {"image_size", {grid.image.dim(2), grid.image.dim(1)}}});
  } else {
    std::cout << "wrote " << out.string() << ": " << w[0] << " kernels of " << grid.conv << " ("
              << w[2] << "x" << w[3] << ", " << w[1] << " input channels, "
              << (w[1] == 3 && pre.network_channels() == 3 ? "true colours" : "grey") << ")\n";
  }
  return 0;
}

}  // namespace

extern const Command kKernelsCommand{
    .spec = {.name = "kernels",
             .summary = "Draw a convolution's kernels (default: the first) as a grid of images.",
             .positionals = {{"MODEL", "the ONNX model (default: the built-in model)", true}},
             .flags =
                 [] {
                   std::vector<FlagSpec> f = {
                       {.name = "layer", .value = "NAME", .help = "a Conv node or its output (default: the first convolution)"},
                       {.name = "output", .value = "FILE", .help = "PNG to write (default kernels.png)", .short_name = 'o'},
                       {.name = "columns", .value = "N", .help = "tiles per row (default: about square)"},
                       {.name = "json", .help = "print what was written as JSON"}};
                   for (FlagSpec& p : preprocessing_flags()) f.push_back(p);
                   return f;
                 }(),
             .details = "Kernels over a colour input are drawn in true colours (the model's colour\n"
                        "order and normalization undone), each scaled symmetrically around zero\n"
                        "(grey = 0) and enlarged with nearest-neighbour."},
    .run = run_kernels};

}  // namespace neuroscope::cli
