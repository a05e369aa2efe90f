#include <stb_image.h>
#include <stb_image_write.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <memory>

#include "neuroscope/atomic_file.h"
#include "neuroscope/error.h"
#include "neuroscope/image.h"

namespace neuroscope {

Tensor read_image(const std::filesystem::path& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec))
    throw error("image '", path.string(), "' does not exist or is not a file");
  std::ifstream in(path, std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (!in.good() && !in.eof()) throw error("cannot read image '", path.string(), "'");
  int width = 0, height = 0, channels = 0;
  std::unique_ptr<stbi_uc, void (*)(void*)> pixels(
      stbi_load_from_memory(reinterpret_cast<const stbi_uc*>(bytes.data()),
                            static_cast<int>(bytes.size()), &width, &height, &channels, 3),
      stbi_image_free);
  if (!pixels)
    throw error("cannot decode image '", path.string(), "': ", stbi_failure_reason(),
                " (supported: PNG, JPEG, BMP, GIF, TGA, PSD, PNM)");
  Tensor image({3, height, width});
  const int64_t plane = static_cast<int64_t>(width) * height;
  for (int64_t i = 0; i < plane; ++i)
    for (int64_t c = 0; c < 3; ++c) image[c * plane + i] = pixels.get()[i * 3 + c] / 255.0f;
  return image;
}

std::string encode_png(const Tensor& image) {
  if (image.rank() != 3 || (image.dim(0) != 3 && image.dim(0) != 1))
    throw error("write_png: expected an image of shape [3,H,W] or [1,H,W], got ",
                to_string(image.shape()));
  const int64_t channels = image.dim(0), height = image.dim(1), width = image.dim(2);
  const int64_t plane = height * width;
  std::vector<unsigned char> pixels(static_cast<size_t>(plane * channels));
  for (int64_t i = 0; i < plane; ++i)
    for (int64_t c = 0; c < channels; ++c) {
      const float v = std::clamp(image[c * plane + i], 0.0f, 1.0f);
      pixels[static_cast<size_t>(i * channels + c)] = static_cast<unsigned char>(std::lround(v * 255.0f));
    }
  std::string bytes;
  auto append = [](void* context, void* data, int size) {
    static_cast<std::string*>(context)->append(static_cast<const char*>(data), static_cast<size_t>(size));
  };
  if (!stbi_write_png_to_func(append, &bytes, static_cast<int>(width), static_cast<int>(height),
                              static_cast<int>(channels), pixels.data(),
                              static_cast<int>(width * channels)))
    throw error("PNG encoding failed for an image of shape ", to_string(image.shape()));
  return bytes;
}

void write_png(const std::filesystem::path& path, const Tensor& image) {
  write_file_atomically(path, encode_png(image));
}

}  // namespace neuroscope
