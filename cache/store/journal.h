// A bounded journal of records in the cache directory: small records that would each waste a
// block as files of their own (what every compile leaves for --explain). Appends are single
// writes to a file opened O_APPEND, so concurrent writers never interleave; when the file
// outgrows half the limit it becomes "<path>.old", replacing the one before, so the two files
// hold the latest records within the limit. A torn or damaged record is skipped on read.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "cache/util/hash.h"

namespace ddcc {

class Journal {
 public:
  // `max_bytes` bounds what both files occupy on disk, give or take a record.
  Journal(std::string path, uint64_t max_bytes);

  // Appends `record` (checked on read by the caller's own format) under `key`.
  absl::Status Append(const Digest& key, absl::string_view record);

  // The records appended under `key` that are still kept, oldest first.
  absl::StatusOr<std::vector<std::string>> Read(const Digest& key) const;

  struct Keyed {
    Digest key;
    std::string record;
  };
  // Every record still kept, oldest first.
  absl::StatusOr<std::vector<Keyed>> ReadAll() const;

  // What both files occupy on disk.
  uint64_t AllocatedBytes() const;

  absl::Status Clear();
  // Removes the files last written before `time_ns` (wall clock): they hold only older records.
  absl::Status RemoveWrittenBefore(int64_t time_ns);

  // Brings both files within the limit, keeping the newest records: for a limit lowered since
  // they were written.
  absl::Status Trim();

 private:
  // The records under `key`, or every one when `key` is empty.
  absl::StatusOr<std::vector<Keyed>> Collect(absl::string_view key) const;
  // Keeps the newest half of the limit of the old file.
  absl::Status ShortenOld();

  std::string path_;
  std::string old_path_;
  uint64_t max_bytes_;
};

}  // namespace ddcc
