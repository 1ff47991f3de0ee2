// Encoding, inside an entry's checksummed body (integers are LEB128 varints, cache/bytes.h):
//   the part table: count, then each part as its length and bytes;
//   the sets: count; per set: 16-byte result key, file count, files, absence group count, groups.
//   A file: path, 16-byte content digest, stamp, trusted (0 or 1). A group: guarded (0 or 1),
//   when guarded the directory's path and stamp; then a path count and the paths.
//   A path: 2n+1 for part n appended to the group's guard directory (absent paths lie below it),
//   or 2n then m for parts n and m: its directory up to the last '/' included, and the rest.
//   A stamp: device, inode, size, mtime, ctime.
// Thousands of absent paths are a few search directories times a few hundred header names, so
// an absent path costs one or two bytes before compression.
#include "cache/manifest.h"

#include <algorithm>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "cache/bytes.h"

namespace ddcc {
namespace {

// Absent paths are stored relative to their group's guard directory, which they lie below.
std::string GroupBase(const Absences& group) {
  if (!group.guard || group.guard->dir == ".") return "";
  return absl::StrCat(group.guard->dir, absl::EndsWith(group.guard->dir, "/") ? "" : "/");
}

// Gives each distinct directory and name a number, in order of first use.
class PartTableWriter {
 public:
  // A path below `base` (a directory ending in '/', or empty for none) is the part after it;
  // any other, a directory and the rest. The low bit tells which.
  void AppendPath(std::string& out, absl::string_view path, absl::string_view base = "") {
    if (!base.empty() && absl::StartsWith(path, base)) {
      AppendVarint(out, Number(path.substr(base.size())) * 2 + 1);
      return;
    }
    size_t cut = Cut(path);
    AppendVarint(out, Number(path.substr(0, cut)) * 2);
    AppendVarint(out, Number(path.substr(cut)));
  }

  // Numbers `part` ahead of its use, so that paths encoded before can end in it.
  void Know(absl::string_view part) { Number(part); }

  std::string Encode() const {
    std::string out;
    AppendVarint(out, parts_.size());
    for (const std::string& part : parts_) {
      AppendVarint(out, part.size());
      out.append(part);
    }
    return out;
  }

 private:
  uint64_t Number(absl::string_view part) {
    auto [it, inserted] = numbers_.try_emplace(part, parts_.size());
    if (inserted) parts_.emplace_back(part);
    return it->second;
  }

  // After the first '/' that leaves a known part (an included file's name as some absent
  // path has it: "bits/vector.tcc"), else after the last.
  size_t Cut(absl::string_view path) const {
    for (size_t slash = path.find('/'); slash != absl::string_view::npos;
         slash = path.find('/', slash + 1)) {
      if (numbers_.contains(path.substr(slash + 1))) return slash + 1;
    }
    return path.rfind('/') + 1;  // 0 when there is no '/'
  }

  absl::flat_hash_map<std::string, uint64_t> numbers_;
  std::vector<std::string> parts_;
};

class ManifestReader {
 public:
  explicit ManifestReader(absl::string_view bytes) : reader_(bytes) {}

  bool PartTable() {
    uint64_t count;
    if (!reader_.Varint(count) || count > reader_.left()) return false;
    parts_.resize(count);
    for (std::string& part : parts_) {
      uint64_t size;
      if (!reader_.Varint(size) || !reader_.Bytes(size, part)) return false;
    }
    return true;
  }

  bool Path(std::string& path, absl::string_view base = "") {
    uint64_t first, name;
    if (!reader_.Varint(first) || (first >> 1) >= parts_.size()) return false;
    if (first & 1) {
      path = absl::StrCat(base, parts_[first >> 1]);
      return true;
    }
    if (!reader_.Varint(name) || name >= parts_.size()) return false;
    path = absl::StrCat(parts_[first >> 1], parts_[name]);
    return true;
  }

  bool Count(uint64_t& count) { return reader_.Varint(count) && count <= reader_.left(); }
  bool Flag(bool& flag) {
    uint64_t value;
    if (!reader_.Varint(value) || value > 1) return false;
    flag = value == 1;
    return true;
  }

  bool Hash(Digest& digest) {
    std::string bytes;
    if (!reader_.Bytes(digest.bytes.size(), bytes)) return false;
    std::copy(bytes.begin(), bytes.end(), digest.bytes.begin());
    return true;
  }

  bool Stamp(FileStamp& stamp) {
    uint64_t mtime = 0, ctime = 0;
    bool ok = reader_.Varint(stamp.device) && reader_.Varint(stamp.inode) &&
              reader_.Varint(stamp.size) && reader_.Varint(mtime) && reader_.Varint(ctime);
    stamp.mtime_ns = static_cast<int64_t>(mtime);
    stamp.ctime_ns = static_cast<int64_t>(ctime);
    return ok;
  }

  bool File(RecordedFile& file) {
    return Path(file.path) && Hash(file.content) && Stamp(file.stamp) && Flag(file.stamp_trusted);
  }

  bool Group(Absences& group) {
    bool guarded;
    if (!Flag(guarded)) return false;
    if (guarded) {
      group.guard.emplace();
      if (!Path(group.guard->dir) || !Stamp(group.guard->stamp)) return false;
    }
    uint64_t count;
    if (!Count(count)) return false;
    group.paths.resize(count);
    std::string base = GroupBase(group);
    for (std::string& path : group.paths) {
      if (!Path(path, base)) return false;
    }
    return true;
  }

  size_t left() const { return reader_.left(); }

 private:
  ByteReader reader_;
  std::vector<std::string> parts_;
};

void AppendDigest(std::string& out, const Digest& digest) {
  out.append(reinterpret_cast<const char*>(digest.bytes.data()), digest.bytes.size());
}

void AppendStamp(std::string& out, const FileStamp& stamp) {
  for (uint64_t value : {stamp.device, stamp.inode, stamp.size, uint64_t(stamp.mtime_ns),
                         uint64_t(stamp.ctime_ns)}) {
    AppendVarint(out, value);
  }
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
  // Absent candidates come by the hundred from the same few directories: look each up once.
  std::string parent = ParentOf(path);
  if (auto known = guards_.find(parent); known != guards_.end()) return known->second;
  std::optional<Guard> guard;
  for (std::string dir = parent;; dir = ParentOf(dir)) {
    absl::StatusOr<FileStamp> stamp = StampFile(dir);
    if (stamp.ok()) {
      if (now_ns_ - std::max(stamp->mtime_ns, stamp->ctime_ns) >= kStampTrustNs) {
        guard = Guard{dir, *stamp};
      }
      break;
    }
    if (!absl::IsNotFound(stamp.status()) || dir == "/" || dir == ".") break;
  }
  guards_.emplace(std::move(parent), guard);
  return guard;
}

Absences& IncludeSetBuilder::GroupFor(const std::optional<Guard>& guard) {
  for (Absences& group : set_.absences) {
    if (group.guard == guard) return group;
  }
  return set_.absences.emplace_back(Absences{guard, {}});
}

bool IncludeSetBuilder::Has(const std::string& path) const { return seen_.contains(path); }

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
  seen_.insert(path);
  return content;
}

absl::Status IncludeSetBuilder::AddCandidate(const std::string& path) {
  if (Has(path)) return absl::OkStatus();
  absl::StatusOr<FileStamp> stamp = StampFile(path);
  if (stamp.ok()) return AddFile(path).status();
  if (!absl::IsNotFound(stamp.status())) return stamp.status();
  GroupFor(GuardFor(path)).paths.push_back(path);
  seen_.insert(path);
  return absl::OkStatus();
}

IncludeSet IncludeSetBuilder::Finish(const Digest& result) && {
  set_.result = result;
  return std::move(set_);
}

std::string Manifest::Encode() const {
  PartTableWriter table;
  for (const IncludeSet& set : sets_) {
    for (const Absences& group : set.absences) {
      std::string base = GroupBase(group);
      if (base.empty()) continue;
      for (const std::string& path : group.paths) table.Know(path.substr(base.size()));
    }
  }
  std::string sets;
  AppendVarint(sets, sets_.size());
  for (const IncludeSet& set : sets_) {
    AppendDigest(sets, set.result);
    AppendVarint(sets, set.files.size());
    for (const RecordedFile& file : set.files) {
      table.AppendPath(sets, file.path);
      AppendDigest(sets, file.content);
      AppendStamp(sets, file.stamp);
      AppendVarint(sets, file.stamp_trusted ? 1 : 0);
    }
    AppendVarint(sets, set.absences.size());
    for (const Absences& group : set.absences) {
      AppendVarint(sets, group.guard ? 1 : 0);
      if (group.guard) {
        table.AppendPath(sets, group.guard->dir);
        AppendStamp(sets, group.guard->stamp);
      }
      AppendVarint(sets, group.paths.size());
      std::string base = GroupBase(group);
      for (const std::string& path : group.paths) table.AppendPath(sets, path, base);
    }
  }
  return table.Encode() + sets;
}

absl::StatusOr<Manifest> Manifest::Decode(absl::string_view bytes) {
  ManifestReader reader(bytes);
  Manifest manifest;
  uint64_t sets;
  bool ok = reader.PartTable() && reader.Count(sets) && sets <= kMaxSets;
  for (uint64_t i = 0; ok && i < sets; ++i) {
    IncludeSet& set = manifest.sets_.emplace_back();
    uint64_t files, groups;
    ok = reader.Hash(set.result) && reader.Count(files);
    for (uint64_t f = 0; ok && f < files; ++f) ok = reader.File(set.files.emplace_back());
    ok = ok && reader.Count(groups);
    for (uint64_t g = 0; ok && g < groups; ++g) ok = reader.Group(set.absences.emplace_back());
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

std::optional<Mismatch> Manifest::NewestMismatch() const {
  if (sets_.empty()) return std::nullopt;
  const IncludeSet& newest = sets_.front();
  for (const RecordedFile& file : newest.files) {
    absl::StatusOr<Digest> content = HashFile(file.path);
    if (!content.ok()) return Mismatch{Mismatch::Kind::kMissing, file.path};  // or unreadable
    if (*content != file.content) return Mismatch{Mismatch::Kind::kChanged, file.path};
  }
  for (const Absences& group : newest.absences) {
    for (const std::string& path : group.paths) {
      if (!absl::IsNotFound(StampFile(path).status())) {
        return Mismatch{Mismatch::Kind::kExists, path};
      }
    }
  }
  return std::nullopt;
}

}  // namespace ddcc
