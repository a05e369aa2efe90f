// neuroscope/npy.h: NumPy .npy files of float32 tensors (C order), read and written.
//
//   Tensor x = neuroscope::read_npy("input.npy");   // Error unless float32, C order
//   neuroscope::write_npy("out.npy", x);            // atomic: temp file, then rename
#pragma once

#include <filesystem>

#include "neuroscope/tensor.h"

namespace neuroscope {

Tensor read_npy(const std::filesystem::path& path);
void write_npy(const std::filesystem::path& path, const Tensor& tensor);

}  // namespace neuroscope
