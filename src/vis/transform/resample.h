// Bilinear resampling of images under a linear map about their centres, shared by the random
// scale and random rotation transforms: each image gets one map per step, drawn from a list.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "neuroscope/transform.h"

namespace neuroscope::transform_detail {

// Maps an output pixel's offset from the image centre, (u, v) = (x - cx, y - cy), to the
// offset of the source point it reads: (xx*u + xy*v, yx*u + yy*v).
struct LinearMap {
  double xx, xy, yx, yy;
};

// Output pixels whose source point falls outside the image (partly or wholly) read this value
// there: mid grey, the value Lucid's standard chain pads with, so a shrunk or turned image sits
// on the same grey as the pad around it. Clamping to the nearest edge pixel instead would give
// each border pixel the gradient of the whole band it is smeared over (12 pixels wide at scale
// 0.9 on 240x240), inviting loud borders; a constant gives border pixels no extra weight.
inline constexpr float kOutsideValue = 0.5f;

// A transform that, per image and step, draws one of `choices` (uniformly; repeat a choice to
// weigh it more) and resamples the image with it, keeping the size. `description` is what
// describe() returns.
std::unique_ptr<Transform> make_random_linear_map(std::string description,
                                                  std::vector<LinearMap> choices);

// "0.9..1.1 step 0.02" for an evenly spaced list, else "0.9/1/1.3", followed by `unit`; notes
// repeated values.
std::string describe_choices(const std::vector<double>& values, std::string_view unit = "");

}  // namespace neuroscope::transform_detail
