#include "cache/store/include_set.h"

#include <algorithm>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace ddcc {

bool StampTrusted(const FileStamp& stamp, int64_t now_ns, const std::string& path) {
  return now_ns - LastChangeNs(stamp, now_ns) >= kStampTrustNs &&
         StampsShowChanges(stamp.device, path);
}

absl::Status IncludeSetBuilder::CheckNotTooNew(const std::string& path,
                                               const FileStamp& stamp) const {
  const int64_t changed_ns = LastChangeNs(stamp, now_ns_);
  if (changed_ns >= compile_start_ns_ - FileClockSlackNs()) {
    const int64_t before_ms = (compile_start_ns_ - changed_ns) / 1'000'000;
    return absl::AbortedError(absl::StrCat(path, " changed during the compile (stamped ", before_ms,
                                           " ms before it began)"));
  }
  return absl::OkStatus();
}

const IncludeSetBuilder::Placement& IncludeSetBuilder::PlacementOf(const std::string& path) {
  // Absent candidates come by the hundred from the same few directories: look each up once.
  std::string parent = DirectoryOf(path);
  if (auto known = placements_.find(parent); known != placements_.end()) return known->second;
  Placement placement;
  std::string below;  // the last directory walked, absent
  for (std::string dir = parent;; dir = DirectoryOf(dir)) {
    absl::StatusOr<FileStamp> stamp = StampFile(dir);
    if (stamp.ok()) {
      if (StampTrusted(*stamp, now_ns_, dir)) placement.guard = Guard{dir, *stamp};
      placement.absent_dir = std::move(below);
      break;
    }
    // A dangling symbolic link comes to life without its directory changing: no guard.
    if (!absl::IsNotFound(stamp.status()) || IsSymlink(dir) || dir == "/" || dir == ".") break;
    below = dir;
  }
  return placements_.emplace(std::move(parent), std::move(placement)).first->second;
}

Absences& IncludeSetBuilder::GroupFor(const std::optional<Guard>& guard, bool directories) {
  for (Absences& group : set_.absences) {
    if (group.guard == guard && group.directories == directories) return group;
  }
  return set_.absences.emplace_back(Absences{guard, {}, directories});
}

absl::Status IncludeSetBuilder::KeepRealPath(const std::string& path,
                                             const std::string& real_path) {
  for (RecordedFile& file : set_.files) {
    if (file.path != path) continue;
    file.real_path = real_path;
    return absl::OkStatus();
  }
  return absl::InternalError(absl::StrCat(path, " was not recorded"));
}

absl::Status IncludeSetBuilder::KeepLinkFree(const std::string& path) {
  for (RecordedFile& file : set_.files) {
    if (file.path != path) continue;
    // As a hit checks it: the path as the set holds it.
    if (!ways_.LinkFree(path)) {
      return absl::FailedPreconditionError(absl::StrCat("a link leads to ", path));
    }
    file.link_free = true;
    return absl::OkStatus();
  }
  return absl::InternalError(absl::StrCat(path, " was not recorded"));
}

bool IncludeSetBuilder::Has(const std::string& path) const { return seen_.contains(path); }

bool IncludeSetBuilder::HasFile(const std::string& path) const {
  auto found = seen_.find(path);
  return found != seen_.end() && found->second;
}

absl::StatusOr<std::string> IncludeSetBuilder::AddFile(const std::string& path) {
  absl::StatusOr<FileStamp> stamp = StampFile(path);
  if (!stamp.ok()) return stamp.status();
  if (absl::Status fresh = CheckNotTooNew(path, *stamp); !fresh.ok()) return fresh;
  // A link on the way retargeted, or a directory renamed, during the compile leaves the file's
  // own stamps as they were.
  if (ways_.NewestWayChangeNs(path, now_ns_) >= compile_start_ns_ - FileClockSlackNs()) {
    return absl::AbortedError(
        absl::StrCat(path, " is reached through a link or directory changed during the compile"));
  }
  absl::StatusOr<std::string> content = ReadFile(path);
  if (!content.ok()) return content.status();
  // A write between the stamp and the read would pair new content with an old stamp.
  if (absl::StatusOr<FileStamp> after = StampFile(path); !after.ok() || *after != *stamp) {
    return absl::AbortedError(absl::StrCat(path, " changed while it was read"));
  }
  Hasher hasher;
  hasher.Update(*content);
  bool trusted = StampTrusted(*stamp, now_ns_, path);
  set_.files.push_back({path, hasher.Finish(), *stamp, trusted});
  seen_[path] = true;
  return content;
}

absl::StatusOr<bool> IncludeSetBuilder::AddCandidate(const std::string& path,
                                                     bool reads_directory) {
  if (Has(path)) return false;
  // Below an absent directory nothing needs a look of its own, and that directory's absence says
  // it for every path: a search that looks for hundreds of headers in a directory without their
  // subdirectory records one path.
  const Placement& placement = PlacementOf(path);
  if (!placement.absent_dir.empty()) {
    seen_.try_emplace(path, false);
    if (seen_.try_emplace(placement.absent_dir, false).second) {
      GroupFor(placement.guard).paths.push_back(placement.absent_dir);
    }
    return false;
  }
  absl::StatusOr<PathKind> kind = KindOf(path);
  if (!kind.ok()) return kind.status();
  switch (*kind) {
    case PathKind::kFile:
      return true;
    case PathKind::kDirectory:
      if (reads_directory) return true;
      // The compiler passes over a directory (src/memory for <memory>), which must stay one. A
      // link to one may be pointed at a file without its directory changing.
      if (!IsOwnDirectory(path)) {
        return absl::FailedPreconditionError(absl::StrCat(path, " links to a directory"));
      }
      seen_.try_emplace(path, false);
      GroupFor(placement.guard, true).paths.push_back(path);
      return false;
    case PathKind::kDanglingLink:
      // It comes to life without its directory changing: no guard.
      seen_.try_emplace(path, false);
      GroupFor(std::nullopt).paths.push_back(path);
      return false;
    case PathKind::kNothing:
      seen_.try_emplace(path, false);
      GroupFor(placement.guard).paths.push_back(path);
      return false;
  }
  return false;
}

IncludeSet IncludeSetBuilder::Finish(const Digest& result) && {
  set_.result = result;
  return std::move(set_);
}

}  // namespace ddcc
