// Resizing and arranging images.
#include <algorithm>
#include <cmath>

#include "neuroscope/error.h"
#include "neuroscope/image.h"

namespace neuroscope {

Tensor resize_bilinear(const Tensor& image, int64_t height, int64_t width) {
  if (image.rank() != 3) throw error("resize: expected [C,H,W], got ", to_string(image.shape()));
  const int64_t channels = image.dim(0), in_h = image.dim(1), in_w = image.dim(2);
  Tensor out({channels, height, width});
  const double sy = static_cast<double>(in_h) / static_cast<double>(height);
  const double sx = static_cast<double>(in_w) / static_cast<double>(width);
  for (int64_t y = 0; y < height; ++y) {
    const double fy = std::clamp((static_cast<double>(y) + 0.5) * sy - 0.5, 0.0, static_cast<double>(in_h - 1));
    const auto y0 = static_cast<int64_t>(fy);
    const int64_t y1 = std::min(y0 + 1, in_h - 1);
    const double wy = fy - static_cast<double>(y0);
    for (int64_t x = 0; x < width; ++x) {
      const double fx = std::clamp((static_cast<double>(x) + 0.5) * sx - 0.5, 0.0, static_cast<double>(in_w - 1));
      const auto x0 = static_cast<int64_t>(fx);
      const int64_t x1 = std::min(x0 + 1, in_w - 1);
      const double wx = fx - static_cast<double>(x0);
      for (int64_t c = 0; c < channels; ++c) {
        const float* p = image.data() + c * in_h * in_w;
        const double top = p[y0 * in_w + x0] * (1 - wx) + p[y0 * in_w + x1] * wx;
        const double bottom = p[y1 * in_w + x0] * (1 - wx) + p[y1 * in_w + x1] * wx;
        out[(c * height + y) * width + x] = static_cast<float>(top * (1 - wy) + bottom * wy);
      }
    }
  }
  return out;
}

Tensor to_grey(const Tensor& rgb) {
  if (rgb.rank() != 3 || rgb.dim(0) != 3) throw error("to_grey: expected [3,H,W], got ", to_string(rgb.shape()));
  const int64_t plane = rgb.dim(1) * rgb.dim(2);
  Tensor grey({1, rgb.dim(1), rgb.dim(2)});
  for (int64_t i = 0; i < plane; ++i)
    grey[i] = 0.299f * rgb[i] + 0.587f * rgb[plane + i] + 0.114f * rgb[2 * plane + i];
  return grey;
}

Tensor enlarge_nearest(const Tensor& image, int64_t factor) {
  if (image.rank() != 3 || factor < 1)
    throw error("enlarge: expected [C,H,W] and a positive factor");
  const int64_t channels = image.dim(0), h = image.dim(1), w = image.dim(2);
  Tensor out({channels, h * factor, w * factor});
  for (int64_t c = 0; c < channels; ++c)
    for (int64_t y = 0; y < h * factor; ++y)
      for (int64_t x = 0; x < w * factor; ++x)
        out[(c * h * factor + y) * w * factor + x] = image[(c * h + y / factor) * w + x / factor];
  return out;
}

Tensor make_grid(const std::vector<Tensor>& tiles, int64_t columns, int64_t gap, float background) {
  if (tiles.empty()) throw error("make_grid: no images");
  const Shape& tile = tiles.front().shape();
  if (tile.size() != 3) throw error("make_grid: tiles must be [C,H,W], got ", to_string(tile));
  for (const Tensor& t : tiles)
    if (t.shape() != tile) throw error("make_grid: tiles differ in shape");
  columns = std::clamp<int64_t>(columns, 1, static_cast<int64_t>(tiles.size()));
  const int64_t rows = (static_cast<int64_t>(tiles.size()) + columns - 1) / columns;
  const int64_t c = tile[0], h = tile[1], w = tile[2];
  const int64_t height = rows * h + (rows - 1) * gap, width = columns * w + (columns - 1) * gap;
  Tensor out({c, height, width}, background);
  for (size_t i = 0; i < tiles.size(); ++i) {
    const int64_t top = static_cast<int64_t>(i) / columns * (h + gap);
    const int64_t left = static_cast<int64_t>(i) % columns * (w + gap);
    for (int64_t k = 0; k < c; ++k)
      for (int64_t y = 0; y < h; ++y)
        std::copy_n(tiles[i].data() + (k * h + y) * w, w, out.data() + (k * height + top + y) * width + left);
  }
  return out;
}

int64_t default_columns(int64_t count) {
  const auto root = static_cast<int64_t>(std::ceil(std::sqrt(static_cast<double>(std::max<int64_t>(count, 1)))));
  for (int64_t c = root; c <= 2 * root && c <= count; ++c)
    if (count % c == 0) return c;
  return root;
}

Tensor batch_item(const Tensor& batch, int64_t index) {
  if (batch.rank() != 4 || index < 0 || index >= batch.dim(0))
    throw error("batch_item: image ", index, " of a batch of shape ", to_string(batch.shape()));
  const int64_t size = batch.size() / batch.dim(0);
  Shape shape(batch.shape().begin() + 1, batch.shape().end());
  return Tensor(shape, std::vector<float>(batch.data() + index * size, batch.data() + (index + 1) * size));
}

}  // namespace neuroscope
