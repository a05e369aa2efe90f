#include "neuroscope/atomic_file.h"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <random>

#include "neuroscope/error.h"

namespace neuroscope {

void write_file_atomically(const std::filesystem::path& path, std::string_view bytes) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (fs::is_directory(path, ec)) throw error("cannot write '", path.string(), "': it is a directory");
  const fs::path dir = path.has_parent_path() ? path.parent_path() : fs::path(".");
  if (!fs::is_directory(dir, ec))
    throw error("cannot write '", path.string(), "': folder '", dir.string(), "' does not exist");
  std::random_device rd;
  const fs::path temp = dir / detail::concat(".", path.filename().string(), ".tmp", getpid(), "_", rd());
  {
    std::ofstream out(temp, std::ios::binary | std::ios::trunc);
    if (!out) throw error("cannot write '", path.string(), "': ", std::strerror(errno));
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    out.flush();
    if (!out) {
      const std::string reason = std::strerror(errno);
      out.close();
      fs::remove(temp, ec);
      throw error("cannot write '", path.string(), "': ", reason);
    }
  }
  fs::rename(temp, path, ec);
  if (ec) {
    std::error_code ignored;
    fs::remove(temp, ignored);
    throw error("cannot write '", path.string(), "': ", ec.message());
  }
}

}  // namespace neuroscope
