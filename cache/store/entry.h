// The entry format: named blobs (an object file, a dependency file, captured streams) in one
// zstd-compressed body, behind a header and ahead of a checksum that is checked on every read.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace ddcc {

// Bumped whenever the bytes of an entry or the meaning of a key change; part of every key, so a
// new format can never read old entries.
inline constexpr uint16_t kFormatVersion = 2;

struct Entry {
  std::vector<std::pair<std::string, std::string>> blobs;  // name, content

  // nullptr when absent.
  const std::string* Find(absl::string_view name) const;
};

std::string EncodeEntry(const Entry& entry, int compression_level);

// Any damage (bad magic or version, wrong size, checksum mismatch, bad compressed data,
// malformed body) is absl::DataLossError.
absl::StatusOr<Entry> DecodeEntry(absl::string_view bytes);

}  // namespace ddcc
