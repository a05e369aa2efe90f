#include "neuroscope/recipe.h"

#include <array>

#include "neuroscope/error.h"

namespace neuroscope {
namespace {

const std::array<Recipe, 3>& named_recipes() {
  static const std::array<Recipe, 3> recipes = {
      Recipe{},  // the reference: the defaults of Recipe
      // Lucid's render_vis pieces. Lucid's Adam step is 0.05; at 224 px it leaves the images
      // with nearly as much high-frequency energy as the reference (docs/recipes.md measures
      // 27% against 28%), 0.02 with two thirds of it (19%) and the same specificity.
      Recipe{.name = "lucid",
             .param = "fourier",
             .transforms = "lucid",
             .optimizer = "adam:0.02",
             .steps = 512,
             .channel_objective = "mean"},
      // The 2015 notebook's render_multiscale: 1.5/255 mean step, random roll of up to 32 px,
      // octaves from small to full size.
      Recipe{.name = "deepdream",
             .param = "pixels",
             .transforms = "roll:32",
             .optimizer = "mean-normalized",
             .steps = 40,
             .octaves = 4},
  };
  return recipes;
}

}  // namespace

RecipePieces Recipe::build() const {
  if (steps < 0) throw error("recipe '", name, "': steps must not be negative (got ", steps, ")");
  if (octaves < 1)
    throw error("recipe '", name, "': octaves must be at least 1 (got ", octaves, ")");
  if (octaves > 1 && !(octave_scale > 1.0))
    throw error("recipe '", name, "': octave scale must be above 1 (got ", octave_scale, ")");
  if (octaves > 1 && param != "pixels")
    throw error("recipe '", name, "': octaves need the pixels parameterization, not '", param, "'");
  if (channel_objective != "squares" && channel_objective != "mean")
    throw error("recipe '", name, "': channel objective '", channel_objective,
                "' is neither squares nor mean");
  return {make_param(param), parse_transforms(transforms), parse_optimizer(optimizer)};
}

Objective Recipe::channel_term(const std::string& tensor, int64_t channel, int64_t image) const {
  return channel_objective == "mean" ? Objective::channel_mean(tensor, channel, image)
                                     : Objective::channel(tensor, channel, image);
}

std::string Recipe::describe() const {
  std::string text = param + "; transforms " + transforms + "; " + optimizer + "; " +
                     std::to_string(steps) + " steps; channel " + channel_objective;
  if (octaves > 1)
    text += " at each of " + std::to_string(octaves) + " octaves (scale " +
            std::to_string(octave_scale).substr(0, 4) + ")";
  return text;
}

Recipe recipe_named(std::string_view name) {
  for (const Recipe& r : named_recipes())
    if (r.name == name) return r;
  std::string names;
  for (const std::string& n : recipe_names()) names += (names.empty() ? "" : ", ") + n;
  throw error("unknown recipe '", name, "'; the recipes are ", names);
}

std::vector<std::string> recipe_names() {
  std::vector<std::string> names;
  for (const Recipe& r : named_recipes()) names.push_back(r.name);
  return names;
}

}  // namespace neuroscope
