// `neuroscope score [MODEL] --layer T --image C=FILE...`: how specific images made for channels
// are (the workflow issue's three measures) and how much high-frequency energy they carry.
#include <cstdio>
#include <iostream>

#include "cli/command.h"
#include "cli/common.h"
#include "cli/vis_common.h"
#include "neuroscope/image.h"
#include "neuroscope/score.h"

namespace neuroscope::cli {
namespace {

int run_score(const Args& args) {
  const auto layer = args.value("layer");
  if (!layer) throw usage_error("score needs --layer TENSOR");
  if (args.values("image").empty()) throw usage_error("score needs at least one --image C=FILE");
  const Model model = load_model_argument(args, 0);
  const Preprocessing pre = preprocessing_from(model, args);
  const std::string tensor = model.resolve_tensor(*layer);

  std::vector<std::pair<int64_t, Tensor>> images;
  int64_t size = args.integer("size").value_or(0);
  if (size < 0 || size > 4096) throw usage_error("--size: ", size, " is not between 1 and 4096");
  for (const std::string& item : args.values("image")) {
    const size_t eq = item.find('=');
    if (eq == std::string::npos || eq == 0)
      throw usage_error("--image '", item, "': expected CHANNEL=FILE");
    const int64_t channel = parse_integer("--image", item.substr(0, eq));
    Tensor image = read_image(item.substr(eq + 1));
    if (image.dim(1) != image.dim(2))
      throw error("--image '", item.substr(eq + 1), "' is ", image.dim(2), "x", image.dim(1),
                  "; images made for channels are square");
    if (size == 0) size = image.dim(1);
    if (image.dim(1) != size) image = resize_bilinear(image, size, size);
    images.emplace_back(channel, pre.image_channels() == 1 ? to_grey(image) : image);
  }
  std::vector<Tensor> photos;
  if (auto dir = args.value("photos"))
    for (const auto& path : list_images(*dir)) photos.push_back(load_square_image(path, size));

  const SpecificityReport r = score_images(model, pre, tensor, images, photos);
  if (args.has("json")) {
    nlohmann::ordered_json list = nlohmann::ordered_json::array();
    for (const ScoredImage& s : r.images)
      list.push_back({{"channel", s.channel},
                      {"response", s.response},
                      {"rank", s.rank},
                      {"beats_others", s.beats_others},
                      {"photo_ratio", photos.empty() ? nlohmann::ordered_json()
                                                     : nlohmann::ordered_json(s.photo_ratio)},
                      {"high_frequency", s.high_frequency}});
    print_json({{"tensor", tensor},
                {"size", size},
                {"photos", photos.size()},
                {"images", list},
                {"top5", r.top5},
                {"beats_others", r.beats_others},
                {"beats_photos", photos.empty() ? nlohmann::ordered_json()
                                                : nlohmann::ordered_json(r.beats_photos)},
                {"mean_high_frequency", r.mean_high_frequency}});
    return 0;
  }
  std::printf("%-8s %12s %6s %12s %12s %8s\n", "channel", "response", "rank", "beats others",
              photos.empty() ? "" : "x photos", "HF>1/2Ny");
  for (const ScoredImage& s : r.images)
    std::printf("%-8lld %12.4g %6lld %12s %12s %7.1f%%\n", static_cast<long long>(s.channel),
                s.response, static_cast<long long>(s.rank), s.beats_others ? "yes" : "NO",
                photos.empty() ? "" : std::to_string(s.photo_ratio).c_str(),
                100 * s.high_frequency);
  const auto n = r.images.size();
  std::cout << "top-5 " << r.top5 << "/" << n << ", own image best " << r.beats_others << "/" << n;
  if (!photos.empty()) std::cout << ", >=10x photos " << r.beats_photos << "/" << n;
  std::cout << ", mean high-frequency energy " << 100 * r.mean_high_frequency << "%\n";
  return 0;
}

}  // namespace

extern const Command kScoreCommand{
    .spec = {.name = "score",
             .summary =
                 "Measure how specific images made for channels are, and their high frequencies.",
             .positionals = {{"MODEL", "the ONNX model (default: the built-in model)", true}},
             .flags =
                 [] {
                   std::vector<FlagSpec> f = {
                       {.name = "layer",
                        .value = "TENSOR",
                        .help = "the layer the images were made for"},
                       {.name = "image",
                        .value = "C=FILE",
                        .help = "an image made for channel C",
                        .repeated = true},
                       {.name = "photos",
                        .value = "DIR",
                        .help = "natural photos to compare responses with"},
                       {.name = "size",
                        .value = "PX",
                        .help = "score at this size (e.g. the render size of enlarged PNGs; "
                                "default: the first image's)"},
                       {.name = "json", .help = "print the measures as JSON"}};
                   for (FlagSpec& p : preprocessing_flags()) f.push_back(p);
                   return f;
                 }(),
             .details =
                 "For each image: the channel's response (mean activation over positions), its\n"
                 "rank among the layer's channels (1 = largest), whether it responds more to\n"
                 "its own image than to each other image given, its response relative to its\n"
                 "mean over --photos, and the share of the image's spectral energy above half\n"
                 "the Nyquist frequency (radius > 1/4 cycle per pixel)."},
    .run = run_score};

}  // namespace neuroscope::cli
