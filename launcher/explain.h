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
#include "launcher/stages.h"

namespace ddcc {

// How a compile ended, as records name it.
inline constexpr absl::string_view kDirectHit = "direct hit";
inline constexpr absl::string_view kPreprocessedHit = "preprocessed hit";
inline constexpr absl::string_view kMiss = "miss";

// The note of a direct lookup that found no manifest.
inline constexpr absl::string_view kNoManifestNote =
    "direct lookup: no manifest for these direct-key inputs (the first compile with them, or the "
    "compile before recorded none)";

// The outcome a record names: `hit_kind` (kDirectHit or kPreprocessedHit) for a hit, else empty.
std::string DescribeOutcome(const CompileOutcome& outcome, absl::string_view hit_kind);

// When and where a call ran, for --report.
struct CallFacts {
  int64_t started_ns = 0;  // wall clock
  int64_t took_ns = 0;
  uint64_t saved_ms = 0;  // a hit's stored compile time
  std::string object;     // ObjectIdentity, or empty for a call that names none
  std::string source;
  std::string cwd;
  std::string build_id;             // DDCC_BUILD_ID
  std::vector<std::string> inputs;  // a link's objects (ObjectIdentity): which target is whose

  bool operator==(const CallFacts&) const = default;
};

// One compile of an object, as --explain tells it.
struct ExplainRecord {
  std::string outcome;             // kDirectHit, kPreprocessedHit, kMiss, or why not cached
  std::vector<std::string> notes;  // what the lookups found: a changed header, no manifest
  std::string transcript;          // "name: value" lines under "# direct key", "# result key"
  CallFacts call;

  // Whether two compiles tell the same: when and where they ran aside.
  bool TellsAlike(const ExplainRecord& other) const {
    return outcome == other.outcome && notes == other.notes && transcript == other.transcript;
  }
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

// Records a call that did not reach the cache (a link, an unknown compiler), for --report.
void RecordUncachedCall(const Config& config, const std::vector<std::string>& args,
                        absl::string_view outcome, CallFacts call);

// A record as the journal keeps it (AppendRecord), or nullopt where it does not decode.
std::optional<ExplainRecord> DecodeStoredRecord(absl::string_view bytes, const Digest& key);

// A note on why the direct lookup found no result: the file of the newest include set that
// stopped matching.
std::string DescribeMismatch(const Mismatch& mismatch);

// How `before`'s key inputs differ from `last`'s, one readable line each: arguments added or
// removed, the source, compiler, working directory, environment or preprocessed text changed.
std::vector<std::string> DiffTranscripts(absl::string_view before, absl::string_view last);

// Why a compile missed, in one line: the header that changed, else the first difference from
// `before` (the object's compile before it, or with `before_elsewhere` the closest compile of its
// source elsewhere: CompileElsewhere), else what the lookup found.
std::string MissReason(const ExplainRecord& last, const ExplainRecord* before,
                       bool before_elsewhere);

// The report --explain prints. `before_elsewhere`: `before` is a compile of the same source in
// another directory (CompileElsewhere), there being none of this object.
std::string ExplainText(absl::string_view object, const ExplainRecord& last,
                        const std::optional<ExplainRecord>& before, bool before_elsewhere = false);

// The latest compile among `records` (compiles that computed keys) of the source `last`
// compiled, in another directory or into another object: what a compile with no record of its
// own most often missed against (a pip build directory, a second checkout). The same file, the
// same spelling of the source and the same object name count for closeness.
const ExplainRecord* CompileElsewhere(const std::vector<const ExplainRecord*>& records,
                                      const ExplainRecord& last);

// A line proposing a base directory above the working directories of `last` and `elsewhere`,
// or empty where it would not help: the configured ones cover both, only "/" would, or a key
// of `last` holds the directory itself.
std::string BaseDirHint(const std::vector<std::string>& base_dirs, const ExplainRecord& last,
                        const ExplainRecord& elsewhere);

// Prints the report for `object` to stdout and returns 0, or says on stderr that nothing is
// recorded for it and returns 1.
int ExplainObject(const Config& config, absl::string_view object);

}  // namespace ddcc
