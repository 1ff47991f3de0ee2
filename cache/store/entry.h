// The entry format: blobs of numbered kinds (an object file, a dependency file, captured streams)
// in one zstd-compressed body, behind a header and ahead of a checksum that is checked on every
// read.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "cache/util/hash.h"

namespace ddcc {

// Bumped whenever the bytes of an entry or the meaning of a key change; part of every key, so a
// new format can never read old entries.
inline constexpr uint16_t kFormatVersion = 5;

// What a blob holds, as a number its users give a meaning to: cache/'s own below 16 (the
// manifest's, cache/store/manifest.h), the launcher's from 16 (launcher/blob_kind.h). The numbers
// are on disk: one never changes its meaning.
using BlobKind = uint16_t;

struct Blob {
  BlobKind kind = 0;
  std::string name;  // which one of its kind, where an entry holds several (a crate's outputs)
  std::string content;

  bool operator==(const Blob&) const = default;
};

struct Entry {
  std::vector<Blob> blobs;

  void Add(BlobKind kind, std::string content) { Add(kind, "", std::move(content)); }
  void Add(BlobKind kind, std::string name, std::string content) {
    blobs.push_back(Blob{kind, std::move(name), std::move(content)});
  }
  // nullptr when absent.
  const std::string* Find(BlobKind kind, absl::string_view name = {}) const;
};

// The entry as stored under `key`, which its checksum holds: an entry put under another key's
// name (a copy by hand, a sync, a remote's mix-up) fails its check like a damaged one.
std::string EncodeEntry(const Entry& entry, int compression_level, const Digest& key);

// Any damage (bad magic or version, wrong size, checksum mismatch, bad compressed data,
// malformed body), or an entry made for another key than `key`, is absl::DataLossError.
absl::StatusOr<Entry> DecodeEntry(absl::string_view bytes, const Digest& key);

}  // namespace ddcc
