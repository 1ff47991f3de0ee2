// Encoding, all integers little-endian (cache/bytes.h), inside an entry's checksummed body:
//   u32 set count; per set: 16-byte result key, u32 file count, files, u32 absence count,
//   absence groups. A file: string path, 16-byte content digest, stamp, u8 trusted. An absence
//   group: u8 guarded, and when guarded: string dir, stamp; then u32 count, paths. A stamp: five
//   u64.
#include "cache/manifest.h"

#include <algorithm>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "cache/bytes.h"

namespace ddcc {
namespace {

void AppendDigest(std::string& out, const Digest& digest) {
  out.append(reinterpret_cast<const char*>(digest.bytes.data()), digest.bytes.size());
}

void AppendStamp(std::string& out, const FileStamp& stamp) {
  for (uint64_t value : {stamp.device, stamp.inode, stamp.size, uint64_t(stamp.mtime_ns),
                         uint64_t(stamp.ctime_ns)}) {
    AppendInteger(out, value, 8);
  }
}

bool ReadDigest(ByteReader& reader, Digest& digest) {
  std::string bytes;
  if (!reader.Bytes(digest.bytes.size(), bytes)) return false;
  std::copy(bytes.begin(), bytes.end(), digest.bytes.begin());
  return true;
}

bool ReadStamp(ByteReader& reader, FileStamp& stamp) {
  uint64_t mtime = 0, ctime = 0;
  bool ok = reader.Integer(8, stamp.device) && reader.Integer(8, stamp.inode) &&
            reader.Integer(8, stamp.size) && reader.Integer(8, mtime) && reader.Integer(8, ctime);
  stamp.mtime_ns = static_cast<int64_t>(mtime);
  stamp.ctime_ns = static_cast<int64_t>(ctime);
  return ok;
}

bool ReadFileRecord(ByteReader& reader, RecordedFile& file) {
  uint64_t trusted = 0;
  bool ok = reader.String(file.path) && ReadDigest(reader, file.content) &&
            ReadStamp(reader, file.stamp) && reader.Integer(1, trusted);
  file.stamp_trusted = trusted != 0;
  return ok;
}

bool ReadAbsences(ByteReader& reader, Absences& group) {
  uint64_t guarded, count;
  if (!reader.Integer(1, guarded)) return false;
  if (guarded != 0) {
    group.guard.emplace();
    if (!reader.String(group.guard->dir) || !ReadStamp(reader, group.guard->stamp)) return false;
  }
  if (!reader.Integer(4, count)) return false;
  for (uint64_t i = 0; i < count; ++i) {
    if (!reader.String(group.paths.emplace_back())) return false;
  }
  return true;
}

// The nearest existing directory above `path`; "" for a relative path's working directory.
std::string ParentOf(const std::string& path) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

}  // namespace

absl::Status IncludeSetBuilder::CheckNotTooNew(const std::string& path,
                                               const FileStamp& stamp) const {
  if (std::max(stamp.mtime_ns, stamp.ctime_ns) >= compile_start_ns_ - kFileClockSlackNs) {
    return absl::FailedPreconditionError(absl::StrCat(path, " changed during the compile"));
  }
  return absl::OkStatus();
}

std::optional<Guard> IncludeSetBuilder::GuardFor(const std::string& path) {
  std::string dir = ParentOf(path);
  while (true) {
    absl::StatusOr<FileStamp> stamp = StampFile(dir);
    if (stamp.ok()) {
      if (now_ns_ - std::max(stamp->mtime_ns, stamp->ctime_ns) < kStampTrustNs) return std::nullopt;
      return Guard{dir, *stamp};
    }
    if (!absl::IsNotFound(stamp.status()) || dir == "/" || dir == ".") return std::nullopt;
    dir = ParentOf(dir);
  }
}

Absences& IncludeSetBuilder::GroupFor(const std::optional<Guard>& guard) {
  for (Absences& group : set_.absences) {
    if (group.guard == guard) return group;
  }
  return set_.absences.emplace_back(Absences{guard, {}});
}

bool IncludeSetBuilder::Has(const std::string& path) const {
  return std::binary_search(seen_.begin(), seen_.end(), path);
}

absl::StatusOr<std::string> IncludeSetBuilder::AddFile(const std::string& path) {
  absl::StatusOr<FileStamp> stamp = StampFile(path);
  if (!stamp.ok()) return stamp.status();
  if (absl::Status fresh = CheckNotTooNew(path, *stamp); !fresh.ok()) return fresh;
  absl::StatusOr<std::string> content = ReadFile(path);
  if (!content.ok()) return content.status();
  Hasher hasher;
  hasher.Update(*content);
  bool trusted = now_ns_ - std::max(stamp->mtime_ns, stamp->ctime_ns) >= kStampTrustNs;
  set_.files.push_back({path, hasher.Finish(), *stamp, trusted});
  seen_.insert(std::upper_bound(seen_.begin(), seen_.end(), path), path);
  return content;
}

absl::Status IncludeSetBuilder::AddCandidate(const std::string& path) {
  if (Has(path)) return absl::OkStatus();
  absl::StatusOr<FileStamp> stamp = StampFile(path);
  if (stamp.ok()) return AddFile(path).status();
  if (!absl::IsNotFound(stamp.status())) return stamp.status();
  GroupFor(GuardFor(path)).paths.push_back(path);
  seen_.insert(std::upper_bound(seen_.begin(), seen_.end(), path), path);
  return absl::OkStatus();
}

IncludeSet IncludeSetBuilder::Finish(const Digest& result) && {
  set_.result = result;
  return std::move(set_);
}

std::string Manifest::Encode() const {
  std::string out;
  AppendInteger(out, sets_.size(), 4);
  for (const IncludeSet& set : sets_) {
    AppendDigest(out, set.result);
    AppendInteger(out, set.files.size(), 4);
    for (const RecordedFile& file : set.files) {
      AppendString(out, file.path);
      AppendDigest(out, file.content);
      AppendStamp(out, file.stamp);
      AppendInteger(out, file.stamp_trusted ? 1 : 0, 1);
    }
    AppendInteger(out, set.absences.size(), 4);
    for (const Absences& group : set.absences) {
      AppendInteger(out, group.guard ? 1 : 0, 1);
      if (group.guard) {
        AppendString(out, group.guard->dir);
        AppendStamp(out, group.guard->stamp);
      }
      AppendInteger(out, group.paths.size(), 4);
      for (const std::string& path : group.paths) AppendString(out, path);
    }
  }
  return out;
}

absl::StatusOr<Manifest> Manifest::Decode(absl::string_view bytes) {
  ByteReader reader(bytes);
  Manifest manifest;
  uint64_t sets;
  bool ok = reader.Integer(4, sets) && sets <= kMaxSets;
  for (uint64_t i = 0; ok && i < sets; ++i) {
    IncludeSet& set = manifest.sets_.emplace_back();
    uint64_t files, absences;
    ok = ReadDigest(reader, set.result) && reader.Integer(4, files);
    for (uint64_t f = 0; ok && f < files; ++f)
      ok = ReadFileRecord(reader, set.files.emplace_back());
    ok = ok && reader.Integer(4, absences);
    for (uint64_t a = 0; ok && a < absences; ++a) {
      ok = ReadAbsences(reader, set.absences.emplace_back());
    }
  }
  if (!ok || reader.left() != 0) return absl::DataLossError("malformed manifest");
  return manifest;
}

void Manifest::Add(IncludeSet set) {
  std::erase_if(sets_, [&](const IncludeSet& old) {
    return old.result == set.result && old.files == set.files && old.absences == set.absences;
  });
  sets_.insert(sets_.begin(), std::move(set));
  if (sets_.size() > kMaxSets) sets_.resize(kMaxSets);
}

std::optional<Digest> Manifest::Match() const {
  // Sets share most of their files and guards: with several sets, each is checked once.
  absl::flat_hash_map<std::string, bool> checked;
  auto once = [&](auto expectation, auto check) {
    if (sets_.size() == 1) return check();
    auto [it, inserted] = checked.try_emplace(expectation(), false);
    if (inserted) it->second = check();
    return it->second;
  };
  auto file_matches = [&](const RecordedFile& file) {
    return once([&] { return absl::StrCat("file ", file.path, "\n", file.content.Hex()); },
                [&] {
                  absl::StatusOr<FileStamp> stamp = StampFile(file.path);
                  if (!stamp.ok()) return false;
                  if (file.stamp_trusted && *stamp == file.stamp) return true;
                  absl::StatusOr<Digest> content = HashFile(file.path);
                  return content.ok() && *content == file.content;
                });
  };
  auto absences_hold = [&](const Absences& group) {
    if (group.guard && once(
                           [&] {
                             return absl::StrCat("guard ", group.guard->dir, "\n",
                                                 group.guard->stamp.inode, " ",
                                                 group.guard->stamp.ctime_ns);
                           },
                           [&] {
                             absl::StatusOr<FileStamp> stamp = StampFile(group.guard->dir);
                             return stamp.ok() && *stamp == group.guard->stamp;
                           })) {
      return true;
    }
    return std::all_of(group.paths.begin(), group.paths.end(), [&](const std::string& path) {
      return once([&] { return absl::StrCat("absent ", path); },
                  [&] { return absl::IsNotFound(StampFile(path).status()); });
    });
  };
  for (const IncludeSet& set : sets_) {
    if (std::all_of(set.files.begin(), set.files.end(), file_matches) &&
        std::all_of(set.absences.begin(), set.absences.end(), absences_hold)) {
      return set.result;
    }
  }
  return std::nullopt;
}

}  // namespace ddcc
