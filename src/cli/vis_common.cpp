#include "cli/vis_common.h"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <iomanip>
#include <iostream>
#include <map>
#include <sstream>

#include "cli/progress.h"
#include "neuroscope/image.h"

namespace neuroscope::cli {
namespace {

std::vector<float> parse_floats(const std::string& flag, const std::string& text) {
  std::vector<float> values;
  std::stringstream in(text);
  std::string item;
  while (std::getline(in, item, ','))
    values.push_back(static_cast<float>(parse_number(flag, item)));
  if (values.empty()) throw usage_error(flag, ": expected comma-separated numbers");
  return values;
}

std::filesystem::path executable_dir() {
  std::error_code ec;
  const auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::filesystem::path() : exe.parent_path();
}

}  // namespace

std::filesystem::path builtin_model_path() {
  const std::string file = "fashion_inception.onnx";
  std::vector<std::filesystem::path> candidates;
  if (const char* dir = std::getenv("NEUROSCOPE_MODEL_DIR"))
    candidates.emplace_back(std::filesystem::path(dir) / file);
  if (const auto exe = executable_dir(); !exe.empty())
    candidates.push_back(exe.parent_path() / "models" / file);
  candidates.push_back(std::filesystem::path(NEUROSCOPE_SOURCE_DIR) / "models" / file);
  std::error_code ec;
  for (const auto& path : candidates)
    if (std::filesystem::is_regular_file(path, ec)) return path;
  throw error("the built-in model ", file, " was not found (looked in ",
              candidates.front().parent_path().string(),
              " and beside the executable); give a MODEL or set NEUROSCOPE_MODEL_DIR");
}

Model load_model_argument(const Args& args, size_t index) {
  if (args.positional_count() > index) return Model::load(args.positional(index));
  const std::filesystem::path path = builtin_model_path();
  if (isatty(STDERR_FILENO))
    std::cerr << "(no MODEL given: using the built-in " << path.filename().string() << ")\n";
  return Model::load(path);
}

std::vector<FlagSpec> preprocessing_flags() {
  return {
      {.name = "color-order", .value = "RGB|BGR|GRAY", .help = "the network's input colour order"},
      {.name = "scale",
       .value = "X",
       .help = "pixel scale: [0,1] images are multiplied by X (255 for 0..255 models)"},
      {.name = "mean", .value = "M[,M,M]", .help = "per-channel mean subtracted after scaling"},
      {.name = "std", .value = "S[,S,S]", .help = "per-channel divisor after the mean"}};
}

Preprocessing preprocessing_from(const Model& model, const Args& args) {
  PreprocessingOverrides o;
  if (auto v = args.value("color-order")) o.color_order = parse_color_order(*v);
  if (auto v = args.number("scale")) o.scale = static_cast<float>(*v);
  if (auto v = args.value("mean")) o.mean = parse_floats("--mean", *v);
  if (auto v = args.value("std")) o.std = parse_floats("--std", *v);
  Preprocessing p = resolve_preprocessing(model, o);
  if (p.source.starts_with("default"))
    std::cerr << "note: " << model.path().filename().string()
              << " says nothing about its input; assuming torchvision's ImageNet normalization ("
              << p.describe() << "); see --color-order, --scale, --mean, --std\n";
  return p;
}

std::vector<FlagSpec> render_flags() {
  return {
      {.name = "recipe",
       .value = "NAME",
       .help = "reference (default), lucid or deepdream: see docs/recipes.md"},
      {.name = "param",
       .value = "SPEC",
       .help = "parameterization: pixels, fourier[:DECAY], laplacian[:LEVELS]"},
      {.name = "transforms",
       .value = "SPEC",
       .help = "e.g. reference, lucid, none, 'pad:12,jitter:8,scale:0.9:1.1:0.02,rotate:10'"},
      {.name = "optimizer",
       .value = "SPEC",
       .help = "normalized[:STEP], mean-normalized[:STEP], adam[:LR]"},
      {.name = "steps",
       .value = "N",
       .help = "optimization steps (per octave; default: the recipe's, 256 for reference)"},
      {.name = "channel-objective",
       .value = "squares|mean",
       .help = "a channel's total square activity (reference) or its mean (lucid)"},
      {.name = "octaves",
       .value = "N",
       .help = "render at N sizes, smallest first, 1.4x apart (pixels only)"},
      {.name = "size",
       .value = "PX",
       .help = "image height and width (default: the model's default_size)"},
      {.name = "jitter",
       .value = "PX",
       .help = "largest random shift per step, wrapping around (same as --transforms roll:PX; "
               "default 8)"},
      {.name = "step-size",
       .value = "X",
       .help = "the step of the recipe's optimizer (reference: largest change of a pixel, 1/8)"},
      {.name = "seed",
       .value = "N",
       .help = "random seed (default 0); same seed and threads give the same bytes"},
      {.name = "batch", .value = "N", .help = "images optimized together in one pass (default 8)"},
      {.name = "no-rescue",
       .help = "the bare recipe: an image whose channel fires nowhere is not rescued"},
      {.name = "start",
       .value = "IMAGE",
       .help = "start from this picture (PNG, JPEG, BMP) instead of noise"},
      {.name = "profile", .help = "print where each step's time goes (also NEUROSCOPE_PROFILE=1)"},
      precision_flag()};
}

FlagSpec precision_flag() {
  return {.name = "precision",
          .value = "fp32|winograd|bf16",
          .help =
              "arithmetic of the convolutions (default fp32; winograd: float32 with Winograd"
              " 3x3 convolutions, ~1.3x faster at batch 8; bf16: ~2x faster on AMX CPUs; both need"
              " AVX-512)"};
}

Precision precision_from(const Args& args) {
  const auto v = args.value("precision");
  if (!v || *v == "fp32" || *v == "float32") return Precision::kFloat32;
  if (*v == "winograd") return Precision::kFloat32Winograd;
  if (*v == "bf16" || *v == "bfloat16") return Precision::kBFloat16;
  throw usage_error("--precision: '", *v, "' is not fp32, winograd or bf16");
}

namespace {

// The recipe of --recipe with the pieces given on their own put in.
// Unknown recipe names and malformed pieces are command-line errors (exit code 2).
Recipe recipe_from(const Args& args) try {
  Recipe r = recipe_named(args.value("recipe").value_or("reference"));
  if (auto v = args.value("param")) r.param = *v;
  if (auto v = args.value("transforms")) r.transforms = *v;
  if (auto v = args.value("optimizer")) r.optimizer = *v;
  if (auto v = args.integer_at_least("jitter", 0)) {
    if (args.has("transforms"))
      throw usage_error("--jitter and --transforms: give one (--jitter N is roll:N)");
    r.transforms = *v > 0 ? "roll:" + std::to_string(*v) : "none";
  }
  if (auto v = args.positive_number("step-size")) {
    // The recipe's optimizer, with this step: "adam:0.05" -> "adam:X".
    r.optimizer = r.optimizer.substr(0, r.optimizer.find(':')) + ":" + std::to_string(*v);
  }
  if (auto v = args.integer_at_least("steps", 0)) r.steps = static_cast<int>(*v);
  if (auto v = args.value("channel-objective")) r.channel_objective = *v;
  if (auto v = args.integer("octaves")) {
    if (*v < 1 || *v > 16) throw usage_error("--octaves: ", *v, " is not between 1 and 16");
    r.octaves = static_cast<int>(*v);
  }
  r.build();  // every piece parses before any work starts
  return r;
} catch (const UsageError&) {
  throw;
} catch (const Error& e) {
  throw usage_error(e.what());
}

}  // namespace

FeatureOptions feature_options_from(const Args& args) {
  FeatureOptions o;
  o.recipe = recipe_from(args);
  if (auto v = args.integer("size")) {
    if (*v < 1 || *v > 4096) throw usage_error("--size: ", *v, " is not between 1 and 4096");
    o.size = *v;
  }
  if (auto v = args.integer("seed")) o.seed = static_cast<uint64_t>(*v);
  if (auto v = args.integer_at_least("batch", 1)) o.batch = *v;
  if (args.has("no-rescue")) o.rescue_silent = false;
  if (auto v = args.value("start")) o.start = read_image(*v);
  o.profile = profiling_requested(args);
  o.precision = precision_from(args);
  return o;
}

Tensor viewable(const Tensor& image) {
  const int64_t side = std::min(image.dim(1), image.dim(2));
  const int64_t factor = side >= kMinimumViewSize ? 1 : (kMinimumViewSize + side - 1) / side;
  return factor > 1 ? enlarge_nearest(image, factor) : image;
}

void save_image(const std::filesystem::path& path, const Tensor& image) {
  write_png(path, viewable(image));
}

Tensor viewable_grid(const std::vector<Tensor>& tiles, int64_t columns) {
  std::vector<Tensor> big;
  for (const Tensor& t : tiles) big.push_back(viewable(t));
  return make_grid(big, columns, std::max<int64_t>(2, big.front().dim(1) / 112));
}

std::string file_safe(const std::string& name) {
  std::string out = name;
  for (char& c : out)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '.') c = '_';
  return out;
}

bool profiling_requested(const Args& args) {
  const char* env = std::getenv("NEUROSCOPE_PROFILE");
  return args.has("profile") || (env && *env && std::string(env) != "0");
}

void print_profile(const std::vector<ProfileRow>& rows, int64_t batches) {
  // Rows hold milliseconds per run of each step, summed here over the batches rendered.
  std::map<std::string, double> by_op, by_node;
  double total = 0;
  for (const ProfileRow& r : rows) {
    by_op[r.pass + " " + r.op] += r.milliseconds_per_run;
    by_node[r.pass + " " + r.op + " " + r.label] += r.milliseconds_per_run;
    total += r.milliseconds_per_run;
  }
  auto sorted = [](const std::map<std::string, double>& m) {
    std::vector<std::pair<double, std::string>> v;
    for (const auto& [k, t] : m) v.emplace_back(t, k);
    std::sort(v.rbegin(), v.rend());
    return v;
  };
  char line[256];
  std::cerr << "profile: " << std::fixed << std::setprecision(2)
            << total / static_cast<double>(batches)
            << " ms per optimization step (network only, timed step by step)\n";
  for (const auto& [t, k] : sorted(by_op)) {
    std::snprintf(line, sizeof line, "  %-28s %9.3f ms  %5.1f%%\n", k.c_str(),
                  t / static_cast<double>(batches), 100 * t / total);
    std::cerr << line;
  }
  std::cerr << "slowest steps:\n";
  const auto nodes = sorted(by_node);
  for (size_t i = 0; i < nodes.size() && i < 15; ++i) {
    std::snprintf(line, sizeof line, "  %-60s %9.3f ms\n", nodes[i].second.c_str(),
                  nodes[i].first / static_cast<double>(batches));
    std::cerr << line;
  }
}

VisualizeCallback progress_reporter(Progress& progress) {
  return [&progress](const VisualizeProgress& p) {
    const double total = static_cast<double>(p.images_total) * p.steps;
    const double done =
        static_cast<double>(p.images_done) * p.steps + static_cast<double>(p.batch_size) * p.step;
    std::ostringstream detail;
    detail << "image " << p.batch_first + 1 << "-" << p.batch_first + p.batch_size << "/"
           << p.images_total << ", step " << p.step << "/" << p.steps << ", objective "
           << p.current_value;
    progress.update(total > 0 ? done / total : 1.0, detail.str());
  };
}

ChannelImages render_channels(const Model& model, const Preprocessing& pre,
                              const std::string& tensor, const std::vector<int64_t>& channels,
                              const FeatureOptions& options, const std::string& what, bool quiet) {
  Progress progress(what + " " + tensor, quiet);
  ChannelImages result =
      visualize_channels(model, pre, tensor, channels, options, progress_reporter(progress));
  int silent = 0;
  for (size_t i = 0; i < result.values.size(); ++i) silent += result.values[i] == 0.0;
  std::ostringstream summary;
  summary << channels.size() << (channels.size() == 1 ? " image" : " images") << " of " << tensor;
  if (silent)
    summary << "; " << silent << (silent == 1 ? " channel" : " channels")
            << " never fired (objective 0: the image is its random start)";
  progress.finish(summary.str());
  if (options.profile)
    print_profile(result.profile,
                  (static_cast<int64_t>(channels.size()) + options.batch - 1) / options.batch);
  return result;
}

}  // namespace neuroscope::cli
