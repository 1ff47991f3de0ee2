// Content hashing for keys and checksums: XXH3-128 for keys, XXH3-64 for entry checksums.
#pragma once

#include <xxhash.h>

#include <array>
#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace ddcc {

// A 128-bit key; its hex form names the entry on disk.
struct Digest {
  std::array<uint8_t, 16> bytes{};

  std::string Hex() const;
  bool operator==(const Digest&) const = default;
};

// A streaming XXH3-128 hasher. Field() prefixes each value with its length so that two
// sequences of fields can only hash alike if every field is equal.
class Hasher {
 public:
  Hasher();
  ~Hasher();
  Hasher(const Hasher&) = delete;
  Hasher& operator=(const Hasher&) = delete;

  void Update(absl::string_view data);
  void Field(absl::string_view data);
  void Field(uint64_t value);
  Digest Finish() const;

 private:
  XXH3_state_t* state_;
};

uint64_t Checksum64(absl::string_view data);
// XXH3-64 of `data` seeded by `key`: it tells what was written for another key from what was
// written for this one.
uint64_t KeyedChecksum64(absl::string_view data, const Digest& key);

// Hashes a whole file's content.
absl::StatusOr<Digest> HashFile(const std::string& path);

}  // namespace ddcc
