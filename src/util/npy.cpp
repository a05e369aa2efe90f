#include "neuroscope/npy.h"

#include <cstring>
#include <fstream>
#include <regex>

#include "neuroscope/atomic_file.h"
#include "neuroscope/error.h"

namespace neuroscope {

Tensor read_npy(const std::filesystem::path& path) {
  const std::string file = path.string();
  std::ifstream in(path, std::ios::binary);
  if (!in) throw error("cannot open '", file, "'");
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (bytes.size() < 10 || bytes.compare(0, 6, "\x93NUMPY") != 0)
    throw error("'", file, "' is not a .npy file");
  const auto major = static_cast<unsigned char>(bytes[6]);
  size_t header_len = 0, offset = 0;
  if (major == 1) {
    header_len = static_cast<unsigned char>(bytes[8]) | (static_cast<size_t>(static_cast<unsigned char>(bytes[9])) << 8);
    offset = 10;
  } else if (major == 2 || major == 3) {
    if (bytes.size() < 12) throw error("'", file, "' is truncated");
    for (int i = 0; i < 4; ++i)
      header_len |= static_cast<size_t>(static_cast<unsigned char>(bytes[8 + static_cast<size_t>(i)])) << (8 * i);
    offset = 12;
  } else {
    throw error("'", file, "' has unsupported .npy version ", static_cast<int>(major));
  }
  if (offset + header_len > bytes.size()) throw error("'", file, "' is truncated");
  const std::string header = bytes.substr(offset, header_len);
  std::smatch m;
  if (!std::regex_search(header, m, std::regex(R"('descr'\s*:\s*'([^']*)')")))
    throw error("'", file, "' has no dtype in its header");
  const std::string descr = m[1];
  if (descr != "<f4" && descr != "=f4")
    throw error("'", file, "' holds dtype '", descr, "'; neuroscope reads float32 ('<f4') arrays");
  if (std::regex_search(header, m, std::regex(R"('fortran_order'\s*:\s*True)")))
    throw error("'", file, "' is in Fortran order; save it in C order");
  if (!std::regex_search(header, m, std::regex(R"('shape'\s*:\s*\(([^)]*)\))")))
    throw error("'", file, "' has no shape in its header");
  Shape shape;
  const std::string dims = m[1];
  std::regex number(R"(\d+)");
  for (auto it = std::sregex_iterator(dims.begin(), dims.end(), number); it != std::sregex_iterator(); ++it)
    shape.push_back(std::stoll(it->str()));
  const int64_t count = element_count(shape);
  const size_t data_at = offset + header_len;
  if (bytes.size() - data_at != static_cast<size_t>(count) * sizeof(float))
    throw error("'", file, "' holds ", bytes.size() - data_at, " bytes of data; shape ",
                to_string(shape), " needs ", static_cast<size_t>(count) * sizeof(float));
  std::vector<float> values(static_cast<size_t>(count));
  std::memcpy(values.data(), bytes.data() + data_at, values.size() * sizeof(float));
  return Tensor(shape, std::move(values));
}

void write_npy(const std::filesystem::path& path, const Tensor& tensor) {
  std::string shape;  // "(1, 2)", "(3,)", "()"
  for (int64_t d : tensor.shape()) shape += (shape.empty() ? "" : ", ") + std::to_string(d);
  if (tensor.rank() == 1) shape += ",";
  std::string header = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + shape + "), }";
  const size_t unpadded = 10 + header.size() + 1;
  header.append((64 - unpadded % 64) % 64, ' ');
  header += '\n';
  std::string bytes = "\x93NUMPY";
  bytes += '\x01';
  bytes += '\x00';
  bytes += static_cast<char>(header.size() & 0xff);
  bytes += static_cast<char>((header.size() >> 8) & 0xff);
  bytes += header;
  bytes.append(reinterpret_cast<const char*>(tensor.data()),
               static_cast<size_t>(tensor.size()) * sizeof(float));
  write_file_atomically(path, bytes);
}

}  // namespace neuroscope
