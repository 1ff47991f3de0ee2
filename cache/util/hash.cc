#include "cache/util/hash.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include <cstring>
#include <memory>

#include "cache/util/files.h"

namespace ddcc {

std::string Digest::Hex() const {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string hex(bytes.size() * 2, '\0');
  for (size_t i = 0; i < bytes.size(); ++i) {
    hex[2 * i] = kDigits[bytes[i] >> 4];
    hex[2 * i + 1] = kDigits[bytes[i] & 0xf];
  }
  return hex;
}

Hasher::Hasher() : state_(XXH3_createState()) { XXH3_128bits_reset(state_); }

Hasher::~Hasher() { XXH3_freeState(state_); }

void Hasher::Update(absl::string_view data) {
  XXH3_128bits_update(state_, data.data(), data.size());
}

void Hasher::Field(absl::string_view data) {
  Field(static_cast<uint64_t>(data.size()));
  Update(data);
}

void Hasher::Field(uint64_t value) {
  char le[8];
  for (int i = 0; i < 8; ++i) le[i] = static_cast<char>(value >> (8 * i));
  Update(absl::string_view(le, sizeof(le)));
}

Digest Hasher::Finish() const {
  XXH128_canonical_t canonical;
  XXH128_canonicalFromHash(&canonical, XXH3_128bits_digest(state_));
  Digest digest;
  static_assert(sizeof(canonical.digest) == sizeof(digest.bytes));
  std::memcpy(digest.bytes.data(), canonical.digest, sizeof(canonical.digest));
  return digest;
}

uint64_t Checksum64(absl::string_view data) { return XXH3_64bits(data.data(), data.size()); }

uint64_t KeyedChecksum64(absl::string_view data, const Digest& key) {
  uint64_t seed = 0;
  for (size_t i = 0; i < key.bytes.size(); ++i) seed ^= uint64_t{key.bytes[i]} << (8 * (i % 8));
  return XXH3_64bits_withSeed(data.data(), data.size(), seed);
}

absl::StatusOr<Digest> HashFile(const std::string& path) {
  ScopedFd fd(open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) return ErrnoStatus("open", path);
  constexpr size_t kChunkSize = 64 * 1024;
  auto chunk = std::make_unique_for_overwrite<char[]>(kChunkSize);
  Hasher hasher;
  for (;;) {
    ssize_t n = read(fd.get(), chunk.get(), kChunkSize);
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoStatus("read", path);
    }
    if (n == 0) break;
    hasher.Update(absl::string_view(chunk.get(), n));
  }
  return hasher.Finish();
}

}  // namespace ddcc
