// Include sets: what a compile's result depends on beyond its command line and source. The
// files whose content went into the result, which must still have that content, and the paths
// that must still not exist (a file created there would shadow an included one, or change what
// __has_include says). Nothing here knows how a compiler searches for headers: the launcher
// says which files and absences matter.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "cache/util/files.h"
#include "cache/util/hash.h"

namespace ddcc {

// A file changed this recently may change again within the same timestamp tick, so its stamp
// cannot prove its content unchanged: it is hashed on every check instead.
inline constexpr int64_t kStampTrustNs = 2'000'000'000;

struct RecordedFile {
  std::string path;
  Digest content;
  FileStamp stamp;
  bool stamp_trusted = false;
  // When set, no symbolic link may come to lie on the way to the file (LinkFreeWays): it would
  // change the real path, by which a compiler may name the file.
  bool link_free = false;
  // When set, the path `path` must still resolve to (absolute, or relative to the working
  // directory): a compiler may name a file by its real path, chosen by where links lead.
  std::string real_path = {};
  bool operator==(const RecordedFile&) const = default;
};

// A directory whose entries, unchanged since it was stamped, prove the absences below it.
struct Guard {
  std::string dir;
  FileStamp stamp;
  bool operator==(const Guard&) const = default;
};

// Paths that must not exist. While the guard's stamp holds none of them can have been created;
// without a guard, or once it changed, each path is stat()ed.
struct Absences {
  std::optional<Guard> guard;
  std::vector<std::string> paths;
  // The paths are directories the compiler passed over, as it would pass over nothing there:
  // each must be one of the two (a directory, no symbolic link, or nothing).
  bool directories = false;
  bool operator==(const Absences&) const = default;
};

struct IncludeSet {
  std::vector<RecordedFile> files;
  std::vector<Absences> absences;  // one group per guard
  Digest result;
};

// Builds an include set from the file system as it is now. A file changed since the compile
// began may not be what the compiler read (Aborted: nor may the compile's result be stored).
class IncludeSetBuilder {
 public:
  IncludeSetBuilder(int64_t compile_start_ns, int64_t now_ns)
      : compile_start_ns_(compile_start_ns), now_ns_(now_ns) {}

  // Records the file's content and returns it, for the caller to scan. Each path once.
  absl::StatusOr<std::string> AddFile(const std::string& path);

  // Records a place the compiler looked, unless recorded before: that nothing is there, or a
  // directory (which a header search passes over; FailedPrecondition for a symbolic link to
  // one), or, when a file is, returns true for the caller to read it with AddFile.
  // `reads_directory`: the compiler reads a directory there too (gcc's x.h.gch/), which is then
  // found like a file.
  absl::StatusOr<bool> AddCandidate(const std::string& path, bool reads_directory = false);

  // Ties the file recorded under `path` to its real path, `real_path` (RecordedFile::real_path):
  // absolute, or relative to the working directory.
  absl::Status KeepRealPath(const std::string& path, const std::string& real_path);
  // Ties the file recorded under `path`, to which no link leads now, to staying so
  // (RecordedFile::link_free); FailedPrecondition where a link leads to it.
  absl::Status KeepLinkFree(const std::string& path);

  bool Has(const std::string& path) const;
  // Whether `path` was recorded as a file read (AddFile).
  bool HasFile(const std::string& path) const;
  IncludeSet Finish(const Digest& result) &&;

 private:
  absl::Status CheckNotTooNew(const std::string& path, const FileStamp& stamp) const;
  // Where a path is: the guard above it, and the topmost absent directory between them, when
  // its own directory is absent and no symbolic link is on the way.
  struct Placement {
    std::optional<Guard> guard;
    std::string absent_dir;
  };
  const Placement& PlacementOf(const std::string& path);
  Absences& GroupFor(const std::optional<Guard>& guard, bool directories = false);

  int64_t compile_start_ns_;
  int64_t now_ns_;
  IncludeSet set_;
  absl::flat_hash_map<std::string, bool> seen_;             // true for a file read
  absl::flat_hash_map<std::string, Placement> placements_;  // by parent directory
  LinkFreeWays ways_;
};

// Whether the file or directory at `path`, stamped so, is old enough at `now_ns` for its stamp
// to prove its content (kStampTrustNs), on a file system whose stamps show every change
// (StampsShowChanges).
bool StampTrusted(const FileStamp& stamp, int64_t now_ns, const std::string& path);

}  // namespace ddcc
