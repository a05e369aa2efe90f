#!/usr/bin/env bash
# Renders the same 16 channels of GoogLeNet's inception_4d/output with every recipe, scores the
# images (neuroscope score: the workflow issue's specificity measures and the share of spectral
# energy above half Nyquist) and writes the grids docs/recipes.md shows.
#
#   tools/recipes/compare.sh [OUT_DIR]      # default docs/images; ~13 minutes on 2 cores
set -euo pipefail
cd "$(dirname "$0")/../.."
out=${1:-docs/images}
model=../shared/models/googlenet/googlenet-bvlc.onnx
photos=../shared/photos
layer=inception_4d/output
channels=3,36,60,97,140,181,222,265,300,318,352,390,420,455,490,520
[ -f "$model" ] || { echo "compare.sh: $model is missing (the shared GoogLeNet)" >&2; exit 1; }
mkdir -p "$out"
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

# name: flags. lucid_adam05: the lucid recipe with Lucid's own Adam step.
declare -A flags=([reference]="--recipe reference" [lucid]="--recipe lucid"
                  [lucid_adam05]="--recipe lucid --optimizer adam:0.05" [deepdream]="--recipe deepdream")
for recipe in reference lucid lucid_adam05 deepdream; do
  mkdir -p "$scratch/$recipe"
  # shellcheck disable=SC2086
  build/neuroscope grid "$model" --layer "$layer" --channels "$channels" --columns 8 \
    ${flags[$recipe]} --tiles "$scratch/$recipe" -o "$out/recipe_$recipe.png" --quiet --json \
    > "$scratch/$recipe.json"
  images=()
  for c in ${channels//,/ }; do images+=(--image "$c=$scratch/$recipe/$c.png"); done
  build/neuroscope score "$model" --layer "$layer" --photos "$photos" "${images[@]}" --json \
    > "$scratch/$recipe.score.json"
  python3 - "${flags[$recipe]}" "$scratch/$recipe.json" "$scratch/$recipe.score.json" <<'PY'
import json, sys
recipe, render, score = sys.argv[1], json.load(open(sys.argv[2])), json.load(open(sys.argv[3]))
n = len(score["images"])
print(f"| `{recipe}` | {score['top5']}/{n} | {score['beats_others']}/{n} | {score['beats_photos']}/{n} "
      f"| {100 * score['mean_high_frequency']:.1f}% | {render['seconds']:.0f} s | {render['recipe']} |")
PY
done
