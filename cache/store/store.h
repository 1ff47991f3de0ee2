// The local store: entries under one root directory, sharded by the key's first hex digits
// (root/a/b/ab....), written atomically, checked on read, and kept within max_size by evicting the
// least recently used entries of a shard when that shard outgrows its share of max_size or
// max_files. Sizes are what the entries occupy on disk (AllocatedBytes), as `du` counts them.
#pragma once

#include <sys/types.h>

#include <climits>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "cache/store/counters.h"
#include "cache/store/entry.h"
#include "cache/store/journal.h"
#include "cache/util/hash.h"

namespace ddcc {

struct StoreUsage {
  uint64_t size_bytes = 0;  // of the entries and the journal
  uint64_t files = 0;       // entries
};

struct StoreSettings {
  uint64_t max_size = 0;   // 0: no limit
  uint64_t max_files = 0;  // 0: no limit
  int compression_level = 1;
  // A shard over its share with at most this many files is evicted whole; a larger one a
  // subdirectory per save, which bounds the work of one save (store.cc, EvictStep).
  uint64_t whole_shard_files = 4096;
  std::optional<mode_t> umask = std::nullopt;  // for what the store creates; unset: the process's
};

class LocalStore {
 public:
  LocalStore(std::string root, const StoreSettings& settings);

  // NotFound when absent. A damaged entry is removed and reported as DataLoss, to the one
  // reader that removes it (NotFound to others reading it at once). A hit marks the entry as
  // used (its mtime), which is what eviction orders by, unless `mark_used` is false.
  absl::StatusOr<Entry> Load(const Digest& key, bool mark_used = true);

  // Atomic: concurrent readers see the old entry, the new one, or none. May evict from the
  // entry's shard afterwards.
  absl::Status Save(const Digest& key, const Entry& entry);
  // The same, for an entry already encoded (by EncodeEntry): a remote's, or one going to remotes.
  absl::Status SaveBytes(const Digest& key, absl::string_view bytes);

  absl::Status Remove(const Digest& key);

  // Small records kept in the store's journal rather than as entries (a file each), within a
  // share of max_size: the latest ones under `key`, oldest first.
  absl::Status AppendRecord(const Digest& key, absl::string_view record);
  absl::StatusOr<std::vector<std::string>> ReadRecords(const Digest& key);
  // Every record, oldest first.
  absl::StatusOr<std::vector<Journal::Keyed>> ReadAllRecords();

  // Entries from the size counters, which is cheap, and the journal.
  absl::StatusOr<StoreUsage> Usage();

  // Removes every entry and record, and resets the size counters.
  absl::Status Clear();

  // Evicts least recently used entries from every shard over its share, and every entry (and
  // journal file) last used before `used_before_ns` (wall clock), and recounts sizes.
  absl::Status Cleanup(int64_t used_before_ns = INT64_MIN);

  const std::string& root() const { return root_; }

 private:
  std::string RelativeEntryPath(const Digest& key) const;
  std::string EntryPath(const Digest& key) const;
  // Sizes and file counts, of a shard or of what it may hold.
  struct Amounts {
    uint64_t size = 0;
    uint64_t files = 0;
  };
  Amounts ShardShare() const;
  absl::Status EvictStep(int shard, int subdir, int64_t shard_files);
  // Evicts the least recently used entries of the shard's `subdirs` (hex digits) until they hold
  // no more than `target` and nothing last used before `used_before_ns`, or until it has removed
  // `max_removals`; whether it removed any.
  absl::StatusOr<bool> Evict(int shard, absl::string_view subdirs, Amounts target,
                             int64_t used_before_ns = INT64_MIN,
                             uint64_t max_removals = UINT64_MAX);
  absl::StatusOr<SharedCounters*> Counters();

  std::string root_;
  StoreSettings settings_;
  Journal journal_;
  std::optional<SharedCounters> counters_;
};

}  // namespace ddcc
