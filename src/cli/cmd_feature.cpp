// `neuroscope feature [MODEL] --layer T --channel C`: the reference feature visualization.
#include <iostream>

#include "cli/command.h"
#include "cli/common.h"
#include "cli/vis_common.h"
#include "neuroscope/image.h"
#include "neuroscope/objective.h"

namespace neuroscope::cli {
namespace {

// --objective EXPR [--images N]: any objective; N images in one batch, saved as a grid.
int run_objective(const Args& args, const std::string& text) {
  if (args.has("layer") || args.has("channel"))
    throw usage_error("give either --objective or --layer and --channel");
  check_objective_flag(text);
  const int64_t count = args.integer("images").value_or(1);
  if (count < 1 || count > 256) throw usage_error("--images: ", count, " is not between 1 and 256");
  const std::filesystem::path out = args.value("output").value_or("objective.png");
  check_output_files({{"--output", out}});
  const Model model = load_model_argument(args, 0);
  const Preprocessing pre = preprocessing_from(model, args);
  const Objective objective = parse_objective(text, ObjectiveContext::for_model(model));
  const FeatureOptions options = feature_options_from(args);
  const bool quiet = args.has("quiet") || args.has("json");
  Progress progress("feature " + objective.describe(), quiet);
  const ChannelImages r =
      visualize_objective(model, pre, objective, count, options, progress_reporter(progress));
  progress.finish(std::to_string(count) + (count == 1 ? " image" : " images"));
  std::vector<Tensor> tiles;
  for (int64_t i = 0; i < count; ++i) tiles.push_back(batch_item(r.images, i));
  if (count == 1)
    save_image(out, tiles.front());
  else
    write_png(out, viewable_grid(tiles, default_columns(count)));
  if (args.has("json")) {
    print_json({{"file", out.string()},
                {"objective", r.tensor},
                {"values", r.values},
                {"size", r.images.dim(2)},
                {"seconds", r.seconds},
                {"preprocessing", pre.describe()},
                {"recipe", r.description}});
  } else {
    std::cout << "wrote " << out.string() << ": " << count << (count == 1 ? " image" : " images")
              << " maximizing " << r.tensor << "\n";
  }
  return 0;
}

int run_feature(const Args& args) {
  if (auto text = args.value("objective")) return run_objective(args, *text);
  if (args.has("images")) throw usage_error("--images goes with --objective");
  const auto layer = args.value("layer");
  const auto channel = args.integer("channel");
  if (!layer)
    throw usage_error("feature needs --layer TENSOR (see 'neuroscope layers') or --objective EXPR");
  if (!channel) throw usage_error("feature needs --channel C");
  const std::filesystem::path out =
      args.value("output").value_or(file_safe(*layer) + "_" + std::to_string(*channel) + ".png");
  check_output_files({{"--output", out}});
  const Model model = load_model_argument(args, 0);
  const Preprocessing pre = preprocessing_from(model, args);
  FeatureOptions options = feature_options_from(args);
  options.batch = 1;
  const ChannelImages r = render_channels(model, pre, *layer, {*channel}, options, "feature",
                                          args.has("quiet") || args.has("json"));
  save_image(out, batch_item(r.images, 0));
  if (args.has("json")) {
    print_json({{"file", out.string()},
                {"tensor", r.tensor},
                {"channel", *channel},
                {"objective", r.values.at(0)},
                {"rescued_steps", r.rescued_steps.at(0)},
                {"size", r.images.dim(2)},
                {"seconds", r.seconds},
                {"preprocessing", pre.describe()},
                {"recipe", r.description}});
  } else {
    std::cout << "wrote " << out.string() << ": " << r.tensor << " channel " << *channel
              << ", objective " << r.values[0] << "\n";
  }
  return 0;
}

}  // namespace

extern const Command kFeatureCommand{
    .spec = {.name = "feature",
             .summary = "Make an image of what one channel (or any objective) responds to.",
             .positionals = {{"MODEL", "the ONNX model (default: the built-in model)", true}},
             .flags =
                 [] {
                   std::vector<FlagSpec> f = {
                       {.name = "layer",
                        .value = "TENSOR",
                        .help = "the tensor (see 'neuroscope layers')"},
                       {.name = "channel", .value = "C", .help = "the channel to visualize"},
                       {.name = "objective",
                        .value = "EXPR",
                        .help = "instead of --layer/--channel: any objective, e.g. 'T:97 - "
                                "0.5*T:12' (docs/objectives.md)"},
                       {.name = "images",
                        .value = "N",
                        .help =
                            "with --objective: N images in one batch, saved as a grid (default 1)"},
                       {.name = "output",
                        .value = "FILE",
                        .help = "PNG to write (default LAYER_C.png)",
                        .short_name = 'o'},
                       {.name = "quiet", .help = "no progress"},
                       {.name = "json",
                        .help = "print what was written and the objective as JSON"}};
                   for (FlagSpec& r : render_flags()) f.push_back(r);
                   for (FlagSpec& p : preprocessing_flags()) f.push_back(p);
                   return f;
                 }(),
             .details =
                 "The default, the reference recipe (--recipe reference): start from noise with "
                 "randomness at all scales; each step\n"
                 "shift the image by a random offset (wrapping around), take the gradient of the\n"
                 "channel's total square activity with respect to the image, scale it so its\n"
                 "largest coefficient is the step size, add it, shift back, keep pixels in [0,1].\n"
                 "While the channel fires nowhere (zero objective, zero gradient) the image is\n"
                 "rescued as Lucid does (redirected ReLU gradients) unless --no-rescue.\n"
                 "Images smaller than 128 px are saved enlarged (nearest-neighbour).\n"
                 "--recipe lucid: Fourier parameterization with decorrelated colour, Lucid's\n"
                 "transformations, Adam, 512 steps; --recipe deepdream: octaves. See\n"
                 "docs/recipes.md; each piece can be set on its own (--param, --transforms,\n"
                 "--optimizer, --steps, --octaves)."},
    .run = run_feature};

}  // namespace neuroscope::cli
