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
#include <array>
#include <tuple>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "cache/bytes.h"

namespace ddcc {
namespace {

// Absent paths are stored relative to their group's guard directory, which they lie below.
std::string BaseOf(absl::string_view dir) {
  if (dir == ".") return "";
  return absl::StrCat(dir, absl::EndsWith(dir, "/") ? "" : "/");
}

std::string GroupBase(const Absences& group) { return group.guard ? BaseOf(group.guard->dir) : ""; }

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

// Where a path is in the part table: 2n+1 for part n after a base directory, or 2n and m.
struct PathRef {
  uint64_t first = 0;
  uint64_t name = 0;
};

// Reads an encoded manifest in place, checking every read: damage can only make it fail.
class ManifestReader {
 public:
  // A part as an offset and a size in the encoding, so that a copied manifest can use it.
  using Part = std::pair<size_t, size_t>;

  ManifestReader(absl::string_view bytes, const std::vector<Part>& parts, size_t offset = 0)
      : bytes_(bytes), reader_(bytes.substr(offset)), parts_(parts) {}

  // Reads the part table into `parts`, which must be the vector the reader was made with.
  bool PartTable(std::vector<Part>& parts) {
    uint64_t count;
    if (!reader_.Varint(count) || count > reader_.left()) return false;
    parts.reserve(count);
    for (uint64_t i = 0; i < count; ++i) {
      uint64_t size;
      if (!reader_.Varint(size) || size > reader_.left()) return false;
      parts.emplace_back(offset(), size);
      reader_.Skip(size);
    }
    return true;
  }

  bool Path(PathRef& path) {
    if (!reader_.Varint(path.first) || (path.first >> 1) >= parts_.size()) return false;
    return (path.first & 1) || (reader_.Varint(path.name) && path.name < parts_.size());
  }

  // `base` applies to a path stored relative to its group's guard directory.
  void Spell(const PathRef& path, absl::string_view base, std::string& out) const {
    absl::string_view head = path.first & 1 ? base : PartAt(path.first >> 1);
    absl::string_view tail = path.first & 1 ? PartAt(path.first >> 1) : PartAt(path.name);
    out.assign(head.data(), head.size());
    out.append(tail.data(), tail.size());
  }

  bool Count(uint64_t& count) { return reader_.Varint(count) && count <= reader_.left(); }
  bool Flag(bool& flag) {
    uint64_t value;
    if (!reader_.Varint(value) || value > 1) return false;
    flag = value == 1;
    return true;
  }

  bool Hash(Digest& digest) {
    absl::string_view bytes;
    if (!reader_.View(digest.bytes.size(), bytes)) return false;
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

  size_t offset() const { return bytes_.size() - reader_.left(); }
  size_t left() const { return reader_.left(); }

 private:
  absl::string_view PartAt(uint64_t n) const {
    return bytes_.substr(parts_[n].first, parts_[n].second);
  }

  absl::string_view bytes_;
  ByteReader reader_;
  const std::vector<Part>& parts_;
};

// The grammar of one include set, told item by item to `on`, which may stop the reading by
// returning false. False also when the set is malformed.
template <typename On>
bool ReadSet(ManifestReader& in, On& on) {
  Digest result;
  uint64_t files, groups;
  if (!in.Hash(result) || !in.Count(files) || !on.Result(result)) return false;
  for (uint64_t f = 0; f < files; ++f) {
    PathRef path;
    Digest content;
    FileStamp stamp;
    bool trusted;
    if (!in.Path(path) || !in.Hash(content) || !in.Stamp(stamp) || !in.Flag(trusted) ||
        !on.File(path, content, stamp, trusted)) {
      return false;
    }
  }
  if (!in.Count(groups)) return false;
  for (uint64_t g = 0; g < groups; ++g) {
    bool guarded;
    PathRef dir;
    FileStamp stamp;
    uint64_t count;
    if (!in.Flag(guarded) || (guarded && !(in.Path(dir) && in.Stamp(stamp))) || !in.Count(count) ||
        !on.Group(guarded ? &dir : nullptr, stamp)) {
      return false;
    }
    for (uint64_t i = 0; i < count; ++i) {
      PathRef path;
      if (!in.Path(path) || !on.Absent(path)) return false;
    }
  }
  return true;
}

// Checks only the form, as Decode does.
struct FormChecker {
  bool Result(const Digest&) { return true; }
  bool File(const PathRef&, const Digest&, const FileStamp&, bool) { return true; }
  bool Group(const PathRef*, const FileStamp&) { return true; }
  bool Absent(const PathRef&) { return true; }
};

// Builds the set as IncludeSet, for what is off the hit path.
class SetBuilder {
 public:
  explicit SetBuilder(const ManifestReader& in) : in_(in) {}

  bool Result(const Digest& result) {
    set_.result = result;
    return true;
  }
  bool File(const PathRef& path, const Digest& content, const FileStamp& stamp, bool trusted) {
    RecordedFile& file = set_.files.emplace_back();
    in_.Spell(path, "", file.path);
    file.content = content;
    file.stamp = stamp;
    file.stamp_trusted = trusted;
    return true;
  }
  bool Group(const PathRef* dir, const FileStamp& stamp) {
    Absences& group = set_.absences.emplace_back();
    if (dir) {
      group.guard.emplace();
      in_.Spell(*dir, "", group.guard->dir);
      group.guard->stamp = stamp;
    }
    base_ = GroupBase(group);
    return true;
  }
  bool Absent(const PathRef& path) {
    in_.Spell(path, base_, set_.absences.back().paths.emplace_back());
    return true;
  }

  IncludeSet Finish() && { return std::move(set_); }

 private:
  const ManifestReader& in_;
  IncludeSet set_;
  std::string base_;
};

// Checks the set against the file system as it reads it, stopping at the first difference.
// Absent paths are spelled and stat()ed only when their guard directory changed.
// Whether a file or directory stamped so is old enough that its stamp proves its content.
bool StampTrusted(const FileStamp& stamp, int64_t now_ns) {
  return now_ns - std::max(stamp.mtime_ns, stamp.ctime_ns) >= kStampTrustNs;
}

// Whether two include sets say the same of the same files, stamps aside.
bool SameDependencies(const IncludeSet& a, const IncludeSet& b) {
  auto same_file = [](const RecordedFile& x, const RecordedFile& y) {
    return x.path == y.path && x.content == y.content;
  };
  auto same_group = [](const Absences& x, const Absences& y) {
    return x.paths == y.paths && x.guard.has_value() == y.guard.has_value() &&
           (!x.guard || x.guard->dir == y.guard->dir);
  };
  return a.result == b.result &&
         std::equal(a.files.begin(), a.files.end(), b.files.begin(), b.files.end(), same_file) &&
         std::equal(a.absences.begin(), a.absences.end(), b.absences.begin(), b.absences.end(),
                    same_group);
}

class SetMatcher {
 public:
  // A file's path and content digest, as the encoding has them.
  using FileKey = std::tuple<uint64_t, uint64_t, std::array<uint8_t, 16>>;

  // `memo`, when given, keeps the files' checks for the other sets, which share most of them.
  // `now_ns`: when a stamp seen is trusted (restamp()).
  SetMatcher(const ManifestReader& in, absl::flat_hash_map<FileKey, bool>* memo, int64_t now_ns)
      : in_(in), memo_(memo), now_ns_(now_ns) {}

  bool Result(const Digest& result) {
    result_ = result;
    return true;
  }
  bool File(const PathRef& path, const Digest& content, const FileStamp& stamp, bool trusted) {
    if (!memo_) return FileHolds(path, content, stamp, trusted);
    auto [it, inserted] = memo_->try_emplace(FileKey{path.first, path.name, content.bytes}, false);
    if (inserted) it->second = FileHolds(path, content, stamp, trusted);
    return it->second;
  }
  bool Group(const PathRef* dir, const FileStamp& stamp) {
    check_absent_ = true;
    base_.clear();
    if (!dir) return true;
    in_.Spell(*dir, "", path_);
    absl::StatusOr<FileStamp> now = StampFile(path_);
    check_absent_ = !now.ok() || *now != stamp;
    base_ = BaseOf(path_);
    return true;
  }
  bool Absent(const PathRef& path) {
    if (!check_absent_) return true;
    in_.Spell(path, base_, path_);
    return absl::IsNotFound(StampFile(path_).status());
  }

  const Digest& result() const { return result_; }
  bool restamp() const { return restamp_; }

 private:
  bool FileHolds(const PathRef& path, const Digest& content, const FileStamp& stamp, bool trusted) {
    in_.Spell(path, "", path_);
    absl::StatusOr<FileStamp> now = StampFile(path_);
    if (!now.ok()) return false;
    if (trusted && *now == stamp) return true;
    absl::StatusOr<Digest> hashed = HashFile(path_);
    if (!hashed.ok() || *hashed != content) return false;
    restamp_ |= StampTrusted(*now, now_ns_);
    return true;
  }

  const ManifestReader& in_;
  absl::flat_hash_map<FileKey, bool>* memo_;
  int64_t now_ns_;
  Digest result_;
  bool restamp_ = false;
  bool check_absent_ = true;
  std::string base_;
  std::string path_;  // reused: a hit spells hundreds of paths
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

std::string EncodeSets(const std::vector<IncludeSet>& include_sets) {
  PartTableWriter table;
  for (const IncludeSet& set : include_sets) {
    for (const Absences& group : set.absences) {
      std::string base = GroupBase(group);
      if (base.empty()) continue;
      for (const std::string& path : group.paths) {
        // A decoded manifest may hold any path; only those below the base are parts.
        if (absl::StartsWith(path, base)) table.Know(path.substr(base.size()));
      }
    }
  }
  std::string sets;
  AppendVarint(sets, include_sets.size());
  for (const IncludeSet& set : include_sets) {
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

// The nearest existing directory above `path`; "" for a relative path's working directory.
std::string ParentOf(const std::string& path) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

}  // namespace

absl::Status IncludeSetBuilder::CheckNotTooNew(const std::string& path,
                                               const FileStamp& stamp) const {
  if (std::max(stamp.mtime_ns, stamp.ctime_ns) >= compile_start_ns_ - FileClockSlackNs()) {
    const int64_t before_ms =
        (compile_start_ns_ - std::max(stamp.mtime_ns, stamp.ctime_ns)) / 1'000'000;
    return absl::AbortedError(absl::StrCat(path, " changed during the compile (stamped ", before_ms,
                                           " ms before it began)"));
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
      if (StampTrusted(*stamp, now_ns_)) guard = Guard{dir, *stamp};
      break;
    }
    // A dangling symbolic link comes to life without its directory changing: no guard.
    if (!absl::IsNotFound(stamp.status()) || IsSymlink(dir) || dir == "/" || dir == ".") break;
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
  // A write between the stamp and the read would pair new content with an old stamp.
  if (absl::StatusOr<FileStamp> after = StampFile(path); !after.ok() || *after != *stamp) {
    return absl::AbortedError(absl::StrCat(path, " changed while it was read"));
  }
  Hasher hasher;
  hasher.Update(*content);
  bool trusted = StampTrusted(*stamp, now_ns_);
  set_.files.push_back({path, hasher.Finish(), *stamp, trusted});
  seen_.insert(path);
  return content;
}

absl::Status IncludeSetBuilder::AddCandidate(const std::string& path) {
  if (Has(path)) return absl::OkStatus();
  absl::StatusOr<FileStamp> stamp = StampFile(path);
  if (stamp.ok()) {
    // The compiler passes over a directory; a set cannot say that it must stay one.
    if (IsDirectory(path)) {
      return absl::FailedPreconditionError(absl::StrCat(path, " is a directory"));
    }
    return AddFile(path).status();
  }
  if (!absl::IsNotFound(stamp.status())) return stamp.status();
  GroupFor(IsSymlink(path) ? std::nullopt : GuardFor(path)).paths.push_back(path);
  seen_.insert(path);
  return absl::OkStatus();
}

IncludeSet IncludeSetBuilder::Finish(const Digest& result) && {
  set_.result = result;
  return std::move(set_);
}

std::string Manifest::Encode() const { return bytes_; }

absl::StatusOr<Manifest> Manifest::Decode(absl::string_view bytes) {
  Manifest manifest;
  manifest.bytes_ = std::string(bytes);
  if (!manifest.Index()) return absl::DataLossError("malformed manifest");
  return manifest;
}

// Finds the parts and where each set begins, and checks the form of all of it.
bool Manifest::Index() {
  parts_.clear();
  set_offsets_.clear();
  ManifestReader reader(bytes_, parts_);
  uint64_t sets;
  if (!reader.PartTable(parts_) || !reader.Count(sets) || sets > kMaxSets) return false;
  FormChecker checker;
  for (uint64_t i = 0; i < sets; ++i) {
    set_offsets_.push_back(reader.offset());
    if (!ReadSet(reader, checker)) return false;
  }
  return reader.left() == 0;
}

std::vector<IncludeSet> Manifest::sets() const {
  std::vector<IncludeSet> sets;
  for (size_t offset : set_offsets_) {
    ManifestReader reader(bytes_, parts_, offset);
    SetBuilder builder(reader);
    ReadSet(reader, builder);  // Index() checked the form
    sets.push_back(std::move(builder).Finish());
  }
  return sets;
}

void Manifest::Add(IncludeSet set) {
  std::vector<IncludeSet> sets = this->sets();
  // The same set, perhaps stamped otherwise: the new stamps replace the old ones.
  std::erase_if(sets, [&](const IncludeSet& old) { return SameDependencies(old, set); });
  sets.insert(sets.begin(), std::move(set));
  if (sets.size() > kMaxSets) sets.resize(kMaxSets);
  bytes_ = EncodeSets(sets);
  Index();  // what EncodeSets writes is well formed
}

std::optional<Digest> Manifest::Match() const {
  bool restamp = false;
  return Match(NowNs(), restamp);
}

std::optional<Digest> Manifest::Match(int64_t now_ns, bool& restamp) const {
  // Sets share most of their files: with several sets, each file is checked once.
  absl::flat_hash_map<SetMatcher::FileKey, bool> memo;
  for (size_t offset : set_offsets_) {
    ManifestReader reader(bytes_, parts_, offset);
    SetMatcher matcher(reader, set_offsets_.size() > 1 ? &memo : nullptr, now_ns);
    if (ReadSet(reader, matcher)) {
      restamp = matcher.restamp();
      return matcher.result();
    }
  }
  return std::nullopt;
}

absl::Status Manifest::Restamp(const Digest& result, int64_t now_ns) {
  std::vector<IncludeSet> all = sets();
  auto set =
      std::find_if(all.begin(), all.end(), [&](const IncludeSet& s) { return s.result == result; });
  if (set == all.end()) return absl::FailedPreconditionError("no include set leads there");
  for (RecordedFile& file : set->files) {
    absl::StatusOr<FileStamp> before = StampFile(file.path);
    if (!before.ok()) return before.status();
    if (file.stamp_trusted && *before == file.stamp) continue;
    absl::StatusOr<Digest> content = HashFile(file.path);
    if (!content.ok()) return content.status();
    if (*content != file.content) {
      return absl::FailedPreconditionError(absl::StrCat(file.path, " changed"));
    }
    // A stamp that moved while the file was read does not vouch for what was read.
    absl::StatusOr<FileStamp> after = StampFile(file.path);
    if (!after.ok() || *after != *before || !StampTrusted(*before, now_ns)) continue;
    file.stamp = *before;
    file.stamp_trusted = true;
  }
  Add(*set);
  return absl::OkStatus();
}

std::optional<Mismatch> Manifest::NewestMismatch() const {
  if (set_offsets_.empty()) return std::nullopt;
  ManifestReader reader(bytes_, parts_, set_offsets_.front());
  SetBuilder builder(reader);
  ReadSet(reader, builder);
  const IncludeSet newest = std::move(builder).Finish();
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
