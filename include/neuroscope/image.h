// neuroscope/image.h: images as float tensors, files, and pictures made of many images.
//
//   Tensor photo = neuroscope::read_image("owl.jpg");      // [3, H, W], RGB in [0, 1]
//   neuroscope::write_png("out.png", photo);               // atomic, no partial file
//   Tensor sheet = neuroscope::make_grid(tiles, 4, 2);     // 4 columns, 2-pixel gaps
//
// Images inside neuroscope are RGB, channel-first, values in [0, 1]. Colour order and
// normalization of a particular network are the business of Preprocessing (preprocess.h).
#pragma once

#include <filesystem>
#include <vector>

#include "neuroscope/tensor.h"

namespace neuroscope {

// Reads PNG, JPEG, BMP (and the other formats stb_image knows) as RGB [3, H, W] in [0, 1].
Tensor read_image(const std::filesystem::path& path);
// Writes [3, H, W] (RGB) or [1, H, W] (gray) values in [0, 1] (clamped) as an 8-bit PNG.
void write_png(const std::filesystem::path& path, const Tensor& image);
// PNG bytes of the same; what write_png writes.
std::string encode_png(const Tensor& image);

// ITU-R BT.601 luma of an RGB [3, H, W] image, as [1, H, W].
Tensor to_grey(const Tensor& rgb);

// Bilinear resize of [C, H, W] to [C, height, width] (pixel centres aligned).
Tensor resize_bilinear(const Tensor& image, int64_t height, int64_t width);
// Nearest-neighbour enlargement by an integer factor (for small kernels).
Tensor enlarge_nearest(const Tensor& image, int64_t factor);

// Lays [C, h, w] tiles (all the same shape) out in rows of `columns`, separated by `gap`
// pixels of `background`.
Tensor make_grid(const std::vector<Tensor>& tiles, int64_t columns, int64_t gap,
                 float background = 1.0f);

// Columns for a grid of `count` tiles: a divisor of count close to its square root when there
// is one (32 -> 8 columns, 4 full rows), else the rounded-up square root.
int64_t default_columns(int64_t count);

// Image `index` of an [N, C, H, W] batch as [C, H, W].
Tensor batch_item(const Tensor& batch, int64_t index);

}  // namespace neuroscope
