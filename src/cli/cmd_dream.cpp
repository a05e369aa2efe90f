// `neuroscope dream MODEL PHOTO`: DeepDream on a photo (the 2015 notebook's recipe).
#include <iostream>
#include <sstream>

#include "cli/command.h"
#include "cli/common.h"
#include "cli/progress.h"
#include "cli/vis_common.h"
#include "neuroscope/dream.h"
#include "neuroscope/image.h"

namespace neuroscope::cli {
namespace {

DreamOptions dream_options_from(const Args& args) {
  DreamOptions o;
  o.layers = args.values("layer");
  if (auto v = args.integer("octaves")) {
    if (*v < 1 || *v > 32) throw usage_error("--octaves: ", *v, " is not between 1 and 32");
    o.octaves = static_cast<int>(*v);
  }
  if (auto v = args.number("octave-scale")) {
    if (!(*v > 1.0 && *v <= 8.0))
      throw usage_error("--octave-scale: ", *v, " is not greater than 1 and at most 8");
    o.octave_scale = *v;
  }
  if (auto v = args.integer_at_least("steps", 0)) o.steps = static_cast<int>(*v);
  if (auto v = args.positive_number("step-size")) o.step_size = static_cast<float>(*v);
  if (auto v = args.integer_at_least("jitter", 0)) o.jitter = *v;
  if (auto v = args.integer_at_least("min-size", 1)) o.min_octave_side = *v;
  if (auto v = args.integer("seed")) o.seed = static_cast<uint64_t>(*v);
  o.precision = precision_from(args);
  return o;
}

std::string octave_list(const std::vector<OctaveSize>& octaves) {
  std::ostringstream text;
  for (size_t k = 0; k < octaves.size(); ++k)
    text << (k ? ", " : "") << octaves[k].width << "x" << octaves[k].height;
  return text.str();
}

DreamResult dream_with_progress(const Model& model, const Preprocessing& pre, const Tensor& photo,
                                const DreamOptions& options, bool quiet) {
  // Work per step grows with the octave's area: progress counts pixel-steps.
  const std::vector<OctaveSize> planned = octave_sizes(
      photo.dim(1), photo.dim(2), options.octaves, options.octave_scale, options.min_octave_side);
  double total = 0;
  for (const OctaveSize& s : planned)
    total += static_cast<double>(s.height * s.width) * options.steps;
  Progress progress("dream", quiet);
  double done_before = 0;  // pixel-steps of the finished octaves
  int current = -1;
  OctaveSize previous;
  DreamResult r = dream(model, pre, photo, options, [&](const DreamProgress& p) {
    if (p.octave != current) {
      if (current >= 0)
        done_before += static_cast<double>(previous.height * previous.width) * p.steps;
      current = p.octave;
      previous = p.size;
    }
    const double done = done_before + static_cast<double>(p.size.height * p.size.width) * p.step;
    std::ostringstream detail;
    detail << "octave " << p.octave + 1 << "/" << p.octaves << " (" << p.size.width << "x"
           << p.size.height << "), step " << p.step << "/" << p.steps << ", objective " << p.value;
    progress.update(total > 0 ? done / total : 1.0, detail.str());
  });
  std::ostringstream summary;
  summary << r.octaves.size() << " octaves (" << octave_list(r.octaves) << ") on "
          << r.layers.front() << (r.layers.size() > 1 ? " and more" : "");
  progress.finish(summary.str());
  return r;
}

int run_dream(const Args& args) {
  const std::filesystem::path photo_path = args.positional(1);
  const std::filesystem::path out =
      args.value("output").value_or(photo_path.stem().string() + "_dream.png");
  check_output_files({{"--output", out}});
  const DreamOptions options = dream_options_from(args);
  const Model model = load_model_argument(args, 0);
  const Preprocessing pre = preprocessing_from(model, args);
  const Tensor photo = read_image(photo_path);
  const bool quiet = args.has("quiet") || args.has("json");
  const DreamResult r = dream_with_progress(model, pre, photo, options, quiet);
  if (static_cast<int>(r.octaves.size()) < r.octaves_requested && !quiet)
    std::cerr << "note: " << r.octaves_requested << " octaves would shrink the photo below "
              << options.min_octave_side << " px or below what the network accepts; used "
              << r.octaves.size() << "\n";
  write_png(out, r.image);
  if (args.has("json")) {
    nlohmann::ordered_json sizes = nlohmann::ordered_json::array();
    for (const OctaveSize& s : r.octaves) sizes.push_back({s.width, s.height});
    print_json({{"file", out.string()},
                {"layers", r.layers},
                {"width", r.image.dim(2)},
                {"height", r.image.dim(1)},
                {"octaves", sizes},
                {"objective", r.values},
                {"seconds", r.seconds},
                {"preprocessing", pre.describe()},
                {"recipe", r.description}});
  } else {
    std::cout << "wrote " << out.string() << ": " << r.image.dim(2) << "x" << r.image.dim(1)
              << ", dreamed on " << r.layers.front() << (r.layers.size() > 1 ? " and more" : "")
              << ", objective " << r.values.back() << "\n";
  }
  return 0;
}

}  // namespace

extern const Command kDreamCommand{
    .spec = {.name = "dream",
             .summary = "DeepDream on a photo: amplify what a layer sees in it, octave by octave.",
             .positionals = {{"MODEL", "the ONNX model"},
                             {"PHOTO", "a PNG, JPEG or BMP photo (any size)"}},
             .flags =
                 [] {
                   std::vector<FlagSpec> f = {
                       {.name = "layer",
                        .value = "TENSOR",
                        .help = "tensor whose mean squared activation grows (default: see below)",
                        .repeated = true},
                       {.name = "output",
                        .value = "FILE",
                        .help = "PNG to write (default PHOTO_dream.png)",
                        .short_name = 'o'},
                       {.name = "octaves",
                        .value = "N",
                        .help = "number of scales (default 4; fewer for small photos)"},
                       {.name = "octave-scale",
                        .value = "X",
                        .help = "size ratio between octaves (default 1.4)"},
                       {.name = "steps", .value = "N", .help = "steps per octave (default 10)"},
                       {.name = "step-size",
                        .value = "X",
                        .help = "mean change of a pixel per step, [0,1] units (default 1.5/255)"},
                       {.name = "jitter",
                        .value = "PX",
                        .help = "largest random shift per step, wrapping around (default 32)"},
                       {.name = "min-size",
                        .value = "PX",
                        .help = "smallest octave side (default 32)"},
                       {.name = "seed", .value = "N", .help = "random seed (default 0)"},
                       precision_flag(),
                       {.name = "quiet", .help = "no progress"},
                       {.name = "json", .help = "print what was written as JSON"}};
                   for (FlagSpec& p : preprocessing_flags()) f.push_back(p);
                   return f;
                 }(),
             .details =
                 "The classic DeepDream (2015): the photo is shrunk by --octave-scale per octave;\n"
                 "from the smallest to the full size, each octave starts from the photo at that\n"
                 "size plus the detail dreamed so far (enlarged), then runs --steps steps: shift\n"
                 "by a random offset (wrapping around), gradient of the layer's mean squared\n"
                 "activation, scaled so its mean absolute value is --step-size, added; pixels\n"
                 "kept in [0,1]. The output has the photo's size (grey for grey networks).\n"
                 "Default layer: inception_4c/output when the model has it, else the last block\n"
                 "output (Concat, else Add, else Relu) within the first two thirds of the model."},
    .run = run_dream};

}  // namespace neuroscope::cli
