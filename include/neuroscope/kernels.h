// neuroscope/kernels.h: a convolution's kernels as a picture.
//
//   Tensor sheet = neuroscope::kernel_grid(model, preprocessing, {});   // first convolution
//   neuroscope::write_png("kernels.png", sheet);
//
// Kernels over a colour input are shown in true colours: each kernel is mapped back to RGB
// pixel space through the preprocessing (colour order, scale, std) and scaled symmetrically
// around zero (grey = 0), then enlarged with nearest-neighbour so small kernels stay sharp.
#pragma once

#include <optional>
#include <string>

#include "neuroscope/model.h"
#include "neuroscope/preprocess.h"
#include "neuroscope/tensor.h"

namespace neuroscope {

struct KernelGridOptions {
  std::optional<std::string> layer;  // a Conv node or its output (or a ReLU of it); default: first
  int64_t columns = 0;               // 0: about square
  int64_t tile = 48;                 // minimum tile size in pixels (kernels enlarged to reach it)
  int64_t gap = 2;                   // pixels between tiles
};

struct KernelGrid {
  Tensor image;          // [3, H, W] RGB in [0, 1]
  std::string conv;      // the Conv node shown
  Shape weights_shape;   // [OC, IC, kh, kw]
};

KernelGrid kernel_grid(const Model& model, const Preprocessing& preprocessing,
                       const KernelGridOptions& options);

}  // namespace neuroscope
