// `neuroscope feature [MODEL] --layer T --channel C`: the reference feature visualization.
#include <iostream>

#include "cli/command.h"
#include "cli/common.h"
#include "cli/vis_common.h"
#include "neuroscope/image.h"

namespace neuroscope::cli {
namespace {

int run_feature(const Args& args) {
  const auto layer = args.value("layer");
  const auto channel = args.integer("channel");
  if (!layer) throw usage_error("feature needs --layer TENSOR (see 'neuroscope layers')");
  if (!channel) throw usage_error("feature needs --channel C");
  const std::filesystem::path out =
      args.value("output").value_or(file_safe(*layer) + "_" + std::to_string(*channel) + ".png");
  check_output_files({{"--output", out}});
  const Model model = load_model_argument(args, 0);
  const Preprocessing pre = preprocessing_from(model, args);
  FeatureOptions options = feature_options_from(args);
  options.batch = 1;
  const ChannelImages r =
      render_channels(model, pre, *layer, {*channel}, options, "feature", args.has("quiet") || args.has("json"));
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
             .summary = "Make an image of what one channel responds to (the reference recipe).",
             .positionals = {{"MODEL", "the ONNX model (default: the built-in model)", true}},
             .flags =
                 [] {
                   std::vector<FlagSpec> f = {
                       {.name = "layer", .value = "TENSOR", .help = "the tensor (see 'neuroscope layers')"},
                       {.name = "channel", .value = "C", .help = "the channel to visualize"},
                       {.name = "output", .value = "FILE", .help = "PNG to write (default LAYER_C.png)", .short_name = 'o'},
                       {.name = "quiet", .help = "no progress"},
                       {.name = "json", .help = "print what was written and the objective as JSON"}};
                   for (FlagSpec& r : render_flags()) f.push_back(r);
                   for (FlagSpec& p : preprocessing_flags()) f.push_back(p);
                   return f;
                 }(),
             .details = "The reference recipe: start from noise with randomness at all scales; each step\n"
                        "shift the image by a random offset (wrapping around), take the gradient of the\n"
                        "channel's total square activity with respect to the image, scale it so its\n"
                        "largest coefficient is the step size, add it, shift back, keep pixels in [0,1].\n"
                        "While the channel fires nowhere (zero objective, zero gradient) the image is\n"
                        "rescued as Lucid does (redirected ReLU gradients) unless --no-rescue.\n"
                        "Images smaller than 128 px are saved enlarged (nearest-neighbour)."},
    .run = run_feature};

}  // namespace neuroscope::cli
