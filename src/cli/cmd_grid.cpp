// `neuroscope grid [MODEL] --layer T --channels SPEC`: many channels of a layer in one picture.
#include <cmath>
#include <iostream>

#include "cli/command.h"
#include "cli/common.h"
#include "cli/vis_common.h"
#include "neuroscope/image.h"

namespace neuroscope::cli {
namespace {

int run_grid(const Args& args) {
  const auto layer = args.value("layer");
  if (!layer) throw usage_error("grid needs --layer TENSOR (see 'neuroscope layers')");
  const std::filesystem::path out = args.value("output").value_or(file_safe(*layer) + "_grid.png");
  const std::optional<std::filesystem::path> tiles_dir = args.value("tiles");
  check_output_files({{"--output", out}});
  if (tiles_dir && !std::filesystem::is_directory(*tiles_dir))
    throw error("--tiles: '", tiles_dir->string(), "' is not a folder");
  const Model model = load_model_argument(args, 0);
  const Preprocessing pre = preprocessing_from(model, args);
  const FeatureOptions options = feature_options_from(args);
  const int64_t size = options.size > 0 ? options.size : pre.default_size;
  const std::string tensor = model.resolve_tensor(*layer);
  const std::string input = model.inputs().front().name;
  Shape input_shape = model.default_input_shape(input);
  if (input_shape.size() == 4) input_shape[2] = input_shape[3] = size;
  const int64_t count =
      TensorInfo{tensor, "", "", model.tensor_shape(tensor, {{input, input_shape}})}.channels();
  const std::string spec =
      args.value("channels").value_or("0-" + std::to_string(std::min<int64_t>(count, 64) - 1));
  const std::vector<int64_t> channels = parse_channels(spec, count);

  const ChannelImages r = render_channels(model, pre, tensor, channels, options, "grid",
                                          args.has("quiet") || args.has("json"));
  std::vector<Tensor> tiles;
  for (size_t i = 0; i < channels.size(); ++i)
    tiles.push_back(batch_item(r.images, static_cast<int64_t>(i)));
  const int64_t columns =
      args.integer("columns").value_or(default_columns(static_cast<int64_t>(channels.size())));
  if (columns < 1) throw usage_error("--columns: must be at least 1");
  write_png(out, viewable_grid(tiles, columns));
  // Each channel's image as rendered (not enlarged), for `neuroscope score`.
  if (tiles_dir)
    for (size_t i = 0; i < channels.size(); ++i)
      write_png(*tiles_dir / (std::to_string(channels[i]) + ".png"), tiles[i]);
  if (args.has("json")) {
    nlohmann::ordered_json list = nlohmann::ordered_json::array();
    for (size_t i = 0; i < channels.size(); ++i)
      list.push_back({{"channel", channels[i]},
                      {"objective", r.values[i]},
                      {"rescued_steps", r.rescued_steps[i]}});
    print_json({{"file", out.string()},
                {"tensor", r.tensor},
                {"columns", columns},
                {"size", size},
                {"seconds", r.seconds},
                {"channels", list},
                {"preprocessing", pre.describe()},
                {"recipe", r.description}});
  } else {
    std::cout << "wrote " << out.string() << ": " << channels.size() << " channels of " << r.tensor
              << " (" << columns << " per row, " << size << " px each)\n";
  }
  return 0;
}

}  // namespace

extern const Command kGridCommand{
    .spec = {.name = "grid",
             .summary = "Visualize many channels of a layer in one picture (rendered in batches).",
             .positionals = {{"MODEL", "the ONNX model (default: the built-in model)", true}},
             .flags =
                 [] {
                   std::vector<FlagSpec> f = {
                       {.name = "layer",
                        .value = "TENSOR",
                        .help = "the tensor (see 'neuroscope layers')"},
                       {.name = "channels",
                        .value = "SPEC",
                        .help = "all, 0-63, 1,5,9-12 (default: the first 64)"},
                       {.name = "columns",
                        .value = "N",
                        .help = "images per row (default: about square)"},
                       {.name = "tiles",
                        .value = "DIR",
                        .help = "also write each channel's image to DIR/C.png, as rendered (for "
                                "neuroscope score)"},
                       {.name = "output",
                        .value = "FILE",
                        .help = "PNG to write (default LAYER_grid.png)",
                        .short_name = 'o'},
                       {.name = "quiet", .help = "no progress"},
                       {.name = "json",
                        .help = "print what was written and each channel's objective as JSON"}};
                   for (FlagSpec& r : render_flags()) f.push_back(r);
                   for (FlagSpec& p : preprocessing_flags()) f.push_back(p);
                   return f;
                 }(),
             .details =
                 "Each image is made by the reference recipe (see 'neuroscope feature --help');\n"
                 "--batch images share one forward/backward pass, each with its own objective\n"
                 "and random stream, so an image does not depend on its batch."},
    .run = run_grid};

}  // namespace neuroscope::cli
