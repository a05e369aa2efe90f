// neuroscope/atomic_file.h: write a file so that readers see either nothing or all of it.
//
//   neuroscope::write_file_atomically("out.png", bytes);
//
// Data goes to a temporary file in the same folder, which is renamed over the target only
// once complete; on any failure the temporary is removed and Error names the path.
#pragma once

#include <filesystem>
#include <string_view>

namespace neuroscope {

void write_file_atomically(const std::filesystem::path& path, std::string_view bytes);

}  // namespace neuroscope
