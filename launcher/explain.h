// `ddcc --explain OBJECT`: why the last compile of an object missed, or how it hit. Every
// compile through the cache leaves a record of itself in the store's journal, under a key
// derived from the object's absolute path; explaining is comparing the key inputs (the lines
// DDCC_DEBUG writes beside the object) of the last compile and the one before it.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "cache/store/manifest.h"
#include "cache/store/store.h"
#include "cache/util/hash.h"
#include "launcher/config.h"
#include "launcher/pipeline.h"

namespace ddcc {

// How a compile ended, as records name it.
inline constexpr absl::string_view kDirectHit = "direct hit";
inline constexpr absl::string_view kPreprocessedHit = "preprocessed hit";
inline constexpr absl::string_view kMiss = "miss";

// The outcome a record names: `hit_kind` (kDirectHit or kPreprocessedHit) for a hit, else empty.
std::string DescribeOutcome(const CompileOutcome& outcome, absl::string_view hit_kind);

// One compile of an object, as --explain tells it.
struct ExplainRecord {
  std::string outcome;             // kDirectHit, kPreprocessedHit, kMiss, or why not cached
  std::vector<std::string> notes;  // what the lookups found: a changed header, no manifest
  std::string transcript;          // "name: value" lines under "# direct key", "# result key"

  bool operator==(const ExplainRecord&) const = default;
};

std::string EncodeRecord(const ExplainRecord& record);
ExplainRecord DecodeRecord(absl::string_view text);

// The object's absolute path, with its directory resolved, so that a compile and a later
// --explain name it alike from any directory and through any symlink.
std::string ObjectIdentity(absl::string_view cwd, absl::string_view object);

// Where the records of the object with this identity are kept.
Digest ExplainKey(absl::string_view identity);

// One object's last compile and the latest one before it that computed keys and was not alike.
struct ExplainRecords {
  std::optional<ExplainRecord> last;
  std::optional<ExplainRecord> before;
};

// NotFound when nothing is recorded (or no longer: the journal keeps the latest records).
absl::StatusOr<ExplainRecords> LoadRecords(LocalStore& store, const Digest& key);

// Records a compile of the object with this key.
absl::Status AppendRecord(LocalStore& store, const Digest& key, const ExplainRecord& record,
                          int compression_level);

// A note on why the direct lookup found no result: the file of the newest include set that
// stopped matching.
std::string DescribeMismatch(const Mismatch& mismatch);

// How `before`'s key inputs differ from `last`'s, one readable line each: arguments added or
// removed, the source, compiler, working directory, environment or preprocessed text changed.
std::vector<std::string> DiffTranscripts(absl::string_view before, absl::string_view last);

// The report --explain prints.
std::string ExplainText(absl::string_view object, const ExplainRecord& last,
                        const std::optional<ExplainRecord>& before);

// Prints the report for `object` to stdout and returns 0, or says on stderr that nothing is
// recorded for it and returns 1.
int ExplainObject(const Config& config, absl::string_view object);

}  // namespace ddcc
