// cli/vis_common.h: what the picture-making subcommands (kernels, feature, grid, demo) share:
// the built-in model when MODEL is left out, preprocessing and rendering flags, saving images.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "cli/args.h"
#include "cli/progress.h"
#include "neuroscope/model.h"
#include "neuroscope/preprocess.h"
#include "neuroscope/visualize.h"

namespace neuroscope::cli {

// The model that ships with neuroscope (models/fashion_inception.onnx): $NEUROSCOPE_MODEL_DIR,
// else ../models next to the executable's folder, else the source tree it was built from.
std::filesystem::path builtin_model_path();

// The MODEL positional at `index`, or the built-in model when it is absent.
Model load_model_argument(const Args& args, size_t index);

// --color-order, --scale, --mean, --std: overrides of the model's preprocessing.
std::vector<FlagSpec> preprocessing_flags();
Preprocessing preprocessing_from(const Model& model, const Args& args);

// --recipe and its pieces (--param, --transforms, --optimizer, --steps, --octaves, and the
// reference recipe's --jitter and --step-size), --size, --seed, --batch, --no-rescue, --start,
// --profile, --precision.
std::vector<FlagSpec> render_flags();
FeatureOptions feature_options_from(const Args& args);
// --precision fp32|winograd|bf16 (default fp32), shared by the commands that render.
FlagSpec precision_flag();
Precision precision_from(const Args& args);

// Images smaller than this are shown enlarged (nearest-neighbour, integer factor) so they can
// be seen; the pixels themselves are unchanged. viewable() enlarges one image (or grid tile);
// save_image writes viewable(image).
constexpr int64_t kMinimumViewSize = 128;
Tensor viewable(const Tensor& image);
void save_image(const std::filesystem::path& path, const Tensor& image);
// Tiles (each made viewable) in a grid with thin gaps.
Tensor viewable_grid(const std::vector<Tensor>& tiles, int64_t columns);

// "inception_4d/output" -> "inception_4d_output": tensor names as file-name parts.
std::string file_safe(const std::string& name);

// --profile (or NEUROSCOPE_PROFILE=1): where each step's time goes, printed to stderr as a
// table by pass and op type, then the slowest nodes.
bool profiling_requested(const Args& args);
void print_profile(const std::vector<ProfileRow>& rows, int64_t batches);

// Progress of a visualization drawn on `progress` (which must outlive the callback).
VisualizeCallback progress_reporter(Progress& progress);

// Renders channels with a progress line; `what` labels it ("feature", "grid").
ChannelImages render_channels(const Model& model, const Preprocessing& pre,
                              const std::string& tensor, const std::vector<int64_t>& channels,
                              const FeatureOptions& options, const std::string& what, bool quiet);

}  // namespace neuroscope::cli
