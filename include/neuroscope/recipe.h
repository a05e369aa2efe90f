// neuroscope/recipe.h: named combinations of the pieces of a render (parameterization,
// transformations, optimizer, steps), each piece written as the text its parser reads.
//
//   Recipe r = neuroscope::recipe_named("lucid");  // Fourier + decorrelated colour, Lucid's
//   r.steps = 256;                                  // transforms, Adam 0.02, 512 steps
//   RecipePieces pieces = r.build();
//
//   reference  pixels, roll:8, normalized:0.125, 256 steps: the reference recipe, exactly
//   lucid      fourier, lucid, adam:0.02, 512 steps, channel mean: Lucid's render_vis pieces
//              (Lucid's own Adam step is 0.05: --optimizer adam:0.05; see docs/recipes.md)
//   deepdream  pixels, roll:32, mean-normalized:1.5/255, 40 steps at each of 4 octaves
//              (scale 1.4): the 2015 notebook's multiscale rendering, from grey noise
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "neuroscope/objective.h"
#include "neuroscope/optimizer.h"
#include "neuroscope/param.h"
#include "neuroscope/transform.h"

namespace neuroscope {

struct RecipePieces {
  std::unique_ptr<Parameterization> param;
  TransformChain transforms;
  std::unique_ptr<Optimizer> optimizer;
};

struct Recipe {
  std::string name = "reference";
  std::string param = "pixels";                // make_param
  std::string transforms = "reference";        // parse_transforms
  std::string optimizer = "normalized:0.125";  // parse_optimizer
  int steps = 256;                             // per octave when octaves > 1
  int octaves = 1;                             // render small first, then enlarge (pixels only)
  double octave_scale = 1.4;
  // What a channel's image maximizes (visualize_channels): the reference's total square
  // activity ("squares": Objective::channel) or Lucid's mean activation ("mean":
  // Objective::channel_mean).
  std::string channel_objective = "squares";

  // Parses every piece; throws Error naming the bad one.
  RecipePieces build() const;
  // The objective of image `image` of a batch made for `channel` of `tensor`.
  Objective channel_term(const std::string& tensor, int64_t channel, int64_t image) const;
  // "fourier; lucid transforms; adam:0.05; 512 steps", for logs and --json.
  std::string describe() const;
};

// The named recipes (above); Error listing them for any other name.
Recipe recipe_named(std::string_view name);
std::vector<std::string> recipe_names();

}  // namespace neuroscope
