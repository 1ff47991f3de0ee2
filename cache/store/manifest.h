// Direct-mode manifests. A manifest belongs to one direct key (compiler, arguments, source) and
// lists the include sets (cache/store/include_set.h) seen with it, each leading to a result key.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "cache/store/entry.h"
#include "cache/store/include_set.h"
#include "cache/util/hash.h"

namespace ddcc {

// Why the newest include set no longer matches: the first of its checks that failed.
struct Mismatch {
  enum class Kind { kChanged, kMissing, kExists, kRelinked };
  Kind kind;
  std::string path;
};

// Kept encoded: a lookup reads the sets in place, spelling only the paths it checks, and
// stops at the first set that matches.
class Manifest {
 public:
  // Newest first; at most kMaxSets are kept.
  static constexpr size_t kMaxSets = 32;

  std::string Encode() const;
  static absl::StatusOr<Manifest> Decode(absl::string_view bytes);  // DataLoss when damaged

  // As the store keeps it: an entry of one blob.
  Entry ToEntry() const;
  static absl::StatusOr<Manifest> FromEntry(const Entry& entry);  // DataLoss when damaged

  void Add(IncludeSet set);
  // Adds `other`'s sets that this one lacks, after its own (older): where that would pass
  // kMaxSets, this one's oldest make room for up to half of them.
  void Merge(const Manifest& other);

  // What a lookup learned that spares later ones work: stamps, taken as it checked them, of
  // the files it had to hash and found unchanged (touched, checked out again, recorded too young
  // to trust), and of guard directories that had changed but whose absences all still held.
  // Only stamps trusted at the lookup's time (kStampTrustNs) are kept.
  struct Restamps {
    size_t set = 0;                                    // the matching set, newest first
    std::vector<std::pair<size_t, FileStamp>> files;   // by position in the set
    std::vector<std::pair<size_t, FileStamp>> guards;  // by absence group
    bool empty() const { return files.empty() && guards.empty(); }
  };

  // The result of the newest include set that the file system still matches.
  std::optional<Digest> Match() const;
  // As Match(), filling `restamps` (when given) for the set that matched, as of `now_ns`.
  std::optional<Digest> Match(int64_t now_ns, Restamps* restamps) const;

  // Records the stamps a Match() learned in the set it matched, which becomes the newest.
  void Restamp(const Restamps& restamps);

  // Why the newest set does not match, checked afresh; nullopt when it does (or there is none).
  // For explaining a miss, so it runs off the hit path.
  std::optional<Mismatch> NewestMismatch() const;

  // Decoded afresh from the encoding.
  std::vector<IncludeSet> sets() const;

 private:
  bool Index();

  std::string bytes_ = std::string(2, '\0');      // no parts, no sets
  std::vector<std::pair<size_t, size_t>> parts_;  // offset and size in bytes_
  std::vector<size_t> set_offsets_;
};

}  // namespace ddcc
