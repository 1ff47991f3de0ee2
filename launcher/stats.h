// What ddcc counts: hits, misses, and every call it did not cache by reason, kept in the cache
// directory's lock-free counter file (cache/store/counters.h).
#pragma once

#include <sys/types.h>

#include <array>
#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "cache/store/counters.h"
#include "launcher/outcome.h"

namespace ddcc {

struct Label {
  const char* key;    // in --show-stats --json
  const char* title;  // in --show-stats
};
const Label& LabelOf(Uncacheable reason);
const Label& LabelOf(ErrorKind kind);
const Label& LabelOf(Language language);

struct StatsSnapshot {
  uint64_t direct_hits = 0;        // found through a manifest, without preprocessing
  uint64_t preprocessed_hits = 0;  // found by the preprocessed text
  uint64_t misses = 0;
  uint64_t time_saved_ms = 0;  // the stored compile times of the hits
  // Per remote lookup (manifests and results alike), not per compile.
  uint64_t remote_hits = 0;
  uint64_t remote_misses = 0;
  uint64_t remote_errors = 0;  // failures and unsound answers, of lookups and writes
  uint64_t remote_timeouts = 0;
  struct LanguageCounts {
    uint64_t direct_hits = 0;
    uint64_t preprocessed_hits = 0;
    uint64_t misses = 0;
  };
  std::array<LanguageCounts, kLanguageCount> languages{};  // by Language
  std::array<uint64_t, kUncacheableCount> uncacheable{};
  std::array<uint64_t, kErrorKindCount> errors{};

  uint64_t Hits() const { return direct_hits + preprocessed_hits; }
  uint64_t UncacheableTotal() const;
  uint64_t ErrorTotal() const;
};

class Stats {
 public:
  // Counting is best effort: without a usable cache directory nothing is counted.
  // Creates the counters and the directory with `umask` when they do not exist yet, unless not
  // `may_create`.
  explicit Stats(const std::string& cache_dir, std::optional<mode_t> umask = std::nullopt,
                 bool may_create = true);

  // The one place a call's statistics are counted.
  void Count(const Tally& tally);

  StatsSnapshot Read() const;
  // An error where the counters cannot be written (a cache this user may only read).
  absl::Status Zero();

 private:
  void Add(size_t slot, uint64_t amount = 1);
  std::optional<SharedCounters> counters_;
};

}  // namespace ddcc
