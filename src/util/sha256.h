// util/sha256.h: SHA-256 (FIPS 180-4), for verifying downloaded files.
//
//   util::Sha256 hash;
//   hash.update(chunk1);
//   hash.update(chunk2);
//   std::string hex = hash.hex_digest();   // 64 lowercase hex digits
//
//   util::sha256_hex("abc");               // "ba7816bf..."
//   util::sha256_file_hex("model.onnx");   // Error naming the file if it cannot be read
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

namespace neuroscope::util {

class Sha256 {
 public:
  static constexpr size_t kDigestSize = 32;
  using Digest = std::array<uint8_t, kDigestSize>;

  Sha256();
  // Appends bytes to the message; any split of a message into updates gives the same digest.
  void update(const void* data, size_t size);
  void update(std::string_view bytes) { update(bytes.data(), bytes.size()); }
  // Pads and finishes the message. The object then starts over with an empty message.
  Digest digest();
  std::string hex_digest();

 private:
  void compress(const uint8_t* block);
  void reset();

  std::array<uint32_t, 8> state_;
  std::array<uint8_t, 64> block_;
  size_t block_used_ = 0;
  uint64_t total_bytes_ = 0;
};

std::string to_hex(const Sha256::Digest& digest);
std::string sha256_hex(std::string_view bytes);
// Reads the file in chunks; throws Error naming it when it cannot be read.
std::string sha256_file_hex(const std::filesystem::path& file);

}  // namespace neuroscope::util
