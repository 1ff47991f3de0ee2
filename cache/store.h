// The local store: entries under one root directory, sharded by the key's first hex digits
// (root/a/b/ab....), written atomically, checked on read, and kept within max_size by evicting the
// least recently used entries of a shard when that shard outgrows its share.
#pragma once

#include <climits>
#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "cache/counters.h"
#include "cache/entry.h"
#include "cache/hash.h"

namespace ddcc {

struct StoreUsage {
  uint64_t size_bytes = 0;
  uint64_t files = 0;
};

class LocalStore {
 public:
  LocalStore(std::string root, uint64_t max_size, int compression_level);

  // NotFound when absent. A damaged entry is removed and reported as DataLoss. A hit marks the
  // entry as used (its mtime), which is what eviction orders by.
  absl::StatusOr<Entry> Load(const Digest& key);

  // Atomic: concurrent readers see the old entry, the new one, or none. May evict from the
  // entry's shard afterwards.
  absl::Status Save(const Digest& key, const Entry& entry);
  // The same, for an entry already encoded (by EncodeEntry): a remote's, or one going to remotes.
  absl::Status SaveBytes(const Digest& key, absl::string_view bytes);

  absl::Status Remove(const Digest& key);

  // From the size counters; cheap.
  absl::StatusOr<StoreUsage> Usage();

  // Removes every entry and resets the size counters.
  absl::Status Clear();

  // Evicts least recently used entries from every shard over its share, and every entry last
  // used before `used_before_ns` (wall clock), and recounts sizes.
  absl::Status Cleanup(int64_t used_before_ns = INT64_MIN);

  const std::string& root() const { return root_; }

 private:
  std::string EntryPath(const Digest& key) const;
  absl::Status EvictShard(int shard, uint64_t target_size, int64_t used_before_ns = INT64_MIN);
  absl::StatusOr<SharedCounters*> Counters();

  std::string root_;
  uint64_t max_size_;
  int compression_level_;
  std::optional<SharedCounters> counters_;
};

}  // namespace ddcc
