// Encoding, inside an entry's checksummed body (integers are LEB128 varints, cache/util/bytes.h):
//   the part table: count, then each part as its length and bytes;
//   the sets: count; per set: 16-byte result key, file count, files, absence group count, groups.
//   A file: path, 16-byte content digest, stamp, trusted (0 or 1). A group: guarded (0 or 1),
//   when guarded the directory's path and stamp; then a path count and the paths.
//   A path: 2n+1 for part n appended to the group's guard directory (absent paths lie below it),
//   or 2n then m for parts n and m: its directory up to the last '/' included, and the rest.
//   A stamp: device, inode, size, mtime, ctime.
// Thousands of absent paths are a few search directories times a few hundred header names, so
// an absent path costs one or two bytes before compression.
#include "cache/store/manifest.h"

#include <sys/vfs.h>

#include <algorithm>
#include <array>
#include <optional>
#include <tuple>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "cache/util/bytes.h"

namespace ddcc {
namespace {

// Absent paths are stored relative to their group's guard directory, which they lie below.
// `name` with ASCII letters in lower case, or nullopt when it holds any other byte above 127.
std::optional<std::string> AsciiFolded(absl::string_view name) {
  std::string folded(name);
  for (char& c : folded) {
    if (static_cast<unsigned char>(c) > 127) return std::nullopt;
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return folded;
}

// The names in `dir`, case folded, where its listing answers for every lookup by name: a local
// file system, which lists what it finds, and names in ASCII, so that a case-folding directory
// (which finds "a.h" for "A.h", and a name with a Kelvin sign for "k") cannot hide one.
// nullopt elsewhere: an automounter or a FUSE file system may find by name what it does not list.
std::optional<absl::flat_hash_set<std::string>> FoldedListing(const std::string& dir) {
  constexpr std::array<int64_t, 7> kLocal = {
      0xEF53,      // ext2, ext3, ext4
      0x58465342,  // xfs
      0x9123683E,  // btrfs
      0x01021994,  // tmpfs
      0x794C7630,  // overlayfs
      0xF2F52010,  // f2fs
      0x2FC12FC1,  // zfs
  };
  struct statfs fs;
  if (statfs(dir.c_str(), &fs) != 0 ||
      std::find(kLocal.begin(), kLocal.end(), static_cast<int64_t>(fs.f_type)) == kLocal.end()) {
    return std::nullopt;
  }
  absl::StatusOr<std::vector<std::string>> names = ListDirectory(dir);
  if (!names.ok()) return std::nullopt;
  absl::flat_hash_set<std::string> folded;
  for (const std::string& name : *names) {
    std::optional<std::string> ascii = AsciiFolded(name);
    if (!ascii) return std::nullopt;
    folded.insert(*std::move(ascii));
  }
  return folded;
}

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

  // The part of a path stored below its group's base, or empty for one stored whole.
  absl::string_view BelowBase(const PathRef& path) const {
    return path.first & 1 ? PartAt(path.first >> 1) : absl::string_view();
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
    last_stamp_begin_ = offset();
    uint64_t mtime = 0, ctime = 0;
    bool ok = reader_.Varint(stamp.device) && reader_.Varint(stamp.inode) &&
              reader_.Varint(stamp.size) && reader_.Varint(mtime) && reader_.Varint(ctime);
    stamp.mtime_ns = static_cast<int64_t>(mtime);
    stamp.ctime_ns = static_cast<int64_t>(ctime);
    last_stamp_end_ = offset();
    return ok;
  }

  size_t offset() const { return bytes_.size() - reader_.left(); }
  size_t left() const { return reader_.left(); }
  // Where the stamp read last lies.
  size_t last_stamp_begin() const { return last_stamp_begin_; }
  size_t last_stamp_end() const { return last_stamp_end_; }

 private:
  absl::string_view PartAt(uint64_t n) const {
    return bytes_.substr(parts_[n].first, parts_[n].second);
  }

  absl::string_view bytes_;
  ByteReader reader_;
  const std::vector<Part>& parts_;
  size_t last_stamp_begin_ = 0;
  size_t last_stamp_end_ = 0;
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
    if (!on.GroupEnd()) return false;
  }
  return true;
}

// Checks only the form, as Decode does.
struct FormChecker {
  bool Result(const Digest&) { return true; }
  bool File(const PathRef&, const Digest&, const FileStamp&, bool) { return true; }
  bool Group(const PathRef*, const FileStamp&) { return true; }
  bool Absent(const PathRef&) { return true; }
  bool GroupEnd() { return true; }
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
  bool GroupEnd() { return true; }

  IncludeSet Finish() && { return std::move(set_); }

 private:
  const ManifestReader& in_;
  IncludeSet set_;
  std::string base_;
};

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

// Checks the set against the file system as it reads it, stopping at the first difference.
// Absent paths are spelled and stat()ed only when their guard directory changed.
class SetMatcher {
 public:
  // A file's path and content digest, as the encoding has them.
  using FileKey = std::tuple<uint64_t, uint64_t, std::array<uint8_t, 16>>;
  // Whether the file holds that content, and its stamp when hashing had to prove it.
  struct FileCheck {
    bool holds = false;
    std::optional<FileStamp> fresh;
  };

  // `memo`, when given, keeps the files' checks for the other sets, which share most of them.
  // `now_ns`: when a stamp seen is trusted, for `restamps` (when given).
  SetMatcher(const ManifestReader& in, absl::flat_hash_map<FileKey, FileCheck>* memo,
             int64_t now_ns, Manifest::Restamps* restamps)
      : in_(in), memo_(memo), now_ns_(now_ns), restamps_(restamps) {}

  bool Result(const Digest& result) {
    result_ = result;
    return true;
  }
  bool File(const PathRef& path, const Digest& content, const FileStamp& stamp, bool trusted) {
    FileCheck check;
    if (!memo_) {
      check = Check(path, content, stamp, trusted);
    } else {
      auto [it, inserted] = memo_->try_emplace(FileKey{path.first, path.name, content.bytes});
      if (inserted) it->second = Check(path, content, stamp, trusted);
      check = it->second;
    }
    if (restamps_ && check.fresh && !(trusted && *check.fresh == stamp)) {
      restamps_->files.emplace_back(file_index_, *check.fresh);
    }
    ++file_index_;
    return check.holds;
  }
  bool Group(const PathRef* dir, const FileStamp& stamp) {
    check_absent_ = true;
    base_.clear();
    guard_.reset();
    absent_dirs_.clear();
    absences_checked_ = 0;
    listing_read_ = false;
    if (!dir) return true;
    in_.Spell(*dir, "", guard_dir_);
    absl::StatusOr<FileStamp> now = StampFile(guard_dir_);
    check_absent_ = !now.ok() || *now != stamp;
    base_ = BaseOf(guard_dir_);
    if (restamps_ && check_absent_ && now.ok() && StampTrusted(*now, now_ns_)) guard_ = *now;
    return true;
  }
  bool Absent(const PathRef& path) {
    if (!check_absent_) return true;
    if (NotListed(in_.BelowBase(path))) return true;
    in_.Spell(path, base_, path_);
    if (guard_) {
      if (NothingAt(path_)) {
        if (!GuardProves(path_)) guard_.reset();
        return true;
      }
      guard_.reset();  // perhaps a dangling link, which can come to life: no longer a guard
    }
    return absl::IsNotFound(StampFile(path_).status());
  }
  bool GroupEnd() {
    // The directory, unchanged while its absences were checked, proves them from now on.
    if (guard_) {
      absl::StatusOr<FileStamp> after = StampFile(guard_dir_);
      if (after.ok() && *after == *guard_) restamps_->guards.emplace_back(group_index_, *guard_);
    }
    ++group_index_;
    return true;
  }

  const Digest& result() const { return result_; }

 private:
  FileCheck Check(const PathRef& path, const Digest& content, const FileStamp& stamp,
                  bool trusted) {
    in_.Spell(path, "", path_);
    absl::StatusOr<FileStamp> now = StampFile(path_);
    if (!now.ok()) return {false, std::nullopt};
    if (trusted && *now == stamp) return {true, std::nullopt};
    absl::StatusOr<Digest> hashed = HashFile(path_);
    if (!hashed.ok() || *hashed != content) return {false, std::nullopt};
    if (!restamps_ || !StampTrusted(*now, now_ns_)) return {true, std::nullopt};
    // A stamp that moved while the file was read does not vouch for what was read.
    absl::StatusOr<FileStamp> after = StampFile(path_);
    if (!after.ok() || *after != *now) return {true, std::nullopt};
    return {true, *now};
  }

  // Whether the changed guard directory's listing lacks the first name of `below` (a path below
  // it), so that nothing is there nor below: a new tree or an added file changes the guard of
  // hundreds of absences, which one listing checks where each would take a stat. The listing
  // is read after the guard's stamp, as each stat would be, and only once a few absences were
  // checked one by one (a large directory takes longer to list than a few stats). Where the
  // listing cannot answer for lookups (FoldedListing), each absence is still stat()ed.
  bool NotListed(absl::string_view below) {
    constexpr int kStatsBeforeListing = 8;
    if (below.empty() || ++absences_checked_ <= kStatsBeforeListing) return false;
    const absl::string_view name = below.substr(0, below.find('/'));
    if (name.empty() || name == "." || name == "..") return false;
    if (!listing_read_) {
      listing_ = FoldedListing(guard_dir_);
      listing_read_ = true;
    }
    if (!listing_) return false;
    std::optional<std::string> folded = AsciiFolded(name);
    return folded && !listing_->contains(*folded);
  }

  // Whether the guard directory, unchanged, keeps `path`, where nothing is, absent: each
  // directory between them is absent too (as when the absence was recorded), none of them a
  // symbolic link, which can come to life without its directory changing.
  bool GuardProves(const std::string& path) {
    for (std::string dir = DirectoryOf(path); dir != guard_dir_; dir = DirectoryOf(dir)) {
      if (absent_dirs_.contains(dir)) return true;  // and so is the rest of the way
      if (dir == "/" || dir == "." || !NothingAt(dir)) return false;
      absent_dirs_.insert(dir);
    }
    return true;
  }

  const ManifestReader& in_;
  absl::flat_hash_map<FileKey, FileCheck>* memo_;
  int64_t now_ns_;
  Manifest::Restamps* restamps_;
  Digest result_;
  size_t file_index_ = 0;
  size_t group_index_ = 0;
  bool check_absent_ = true;
  std::optional<FileStamp> guard_;  // the changed guard's stamp, while it may be restamped
  std::string guard_dir_;
  absl::flat_hash_set<std::string> absent_dirs_;  // below the guard, on the way to absent paths
  int absences_checked_ = 0;                      // in this group
  bool listing_read_ = false;
  std::optional<absl::flat_hash_set<std::string>> listing_;  // the changed guard's (FoldedListing)
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

// Rewrites the stamps a Match() learned in the encoding of the set it matched, leaving the
// rest of its bytes as they are: a restamp spells no path.
class StampPatcher {
 public:
  StampPatcher(const ManifestReader& in, const Manifest::Restamps& restamps)
      : in_(in), restamps_(restamps) {}

  bool Result(const Digest&) { return true; }
  bool File(const PathRef&, const Digest&, const FileStamp&, bool) {
    const auto& files = restamps_.files;
    if (next_file_ < files.size() && files[next_file_].first == file_index_) {
      // The stamp and the trusted flag after it, just read: the new stamp, trusted.
      Replace(in_.last_stamp_begin(), in_.offset(), files[next_file_++].second, true);
    }
    ++file_index_;
    return true;
  }
  bool Group(const PathRef* dir, const FileStamp&) {
    const auto& guards = restamps_.guards;
    if (next_guard_ < guards.size() && guards[next_guard_].first == group_index_) {
      if (dir) Replace(in_.last_stamp_begin(), in_.last_stamp_end(), guards[next_guard_].second);
      ++next_guard_;
    }
    ++group_index_;
    return true;
  }
  bool Absent(const PathRef&) { return true; }
  bool GroupEnd() { return true; }

  // The set's bytes, from `begin` to `end` of `bytes`, with the replacements made.
  std::string Patched(const std::string& bytes, size_t begin, size_t end) const {
    std::string out;
    out.reserve(end - begin + 16 * replacements_.size());
    size_t at = begin;
    for (const Replacement& r : replacements_) {
      out.append(bytes, at, r.begin - at);
      out.append(r.bytes);
      at = r.end;
    }
    out.append(bytes, at, end - at);
    return out;
  }

 private:
  struct Replacement {
    size_t begin, end;
    std::string bytes;
  };

  void Replace(size_t begin, size_t end, const FileStamp& stamp, bool trusted_flag = false) {
    Replacement& r = replacements_.emplace_back(Replacement{begin, end, {}});
    AppendStamp(r.bytes, stamp);
    if (trusted_flag) AppendVarint(r.bytes, 1);
  }

  const ManifestReader& in_;
  const Manifest::Restamps& restamps_;
  std::vector<Replacement> replacements_;  // in the order of the bytes
  size_t file_index_ = 0, group_index_ = 0, next_file_ = 0, next_guard_ = 0;
};

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

}  // namespace

std::string Manifest::Encode() const { return bytes_; }

namespace {
// cache/'s own kind (entry.h).
constexpr BlobKind kManifestBlob = 1;
}  // namespace

Entry Manifest::ToEntry() const {
  Entry entry;
  entry.Add(kManifestBlob, bytes_);
  return entry;
}

absl::StatusOr<Manifest> Manifest::FromEntry(const Entry& entry) {
  const std::string* blob = entry.Find(kManifestBlob);
  if (blob == nullptr) return absl::DataLossError("entry holds no manifest");
  return Decode(*blob);
}

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

std::optional<Digest> Manifest::Match() const { return Match(NowNs(), nullptr); }

std::optional<Digest> Manifest::Match(int64_t now_ns, Restamps* restamps) const {
  // Sets share most of their files: with several sets, each file is checked once.
  absl::flat_hash_map<SetMatcher::FileKey, SetMatcher::FileCheck> memo;
  for (size_t i = 0; i < set_offsets_.size(); ++i) {
    ManifestReader reader(bytes_, parts_, set_offsets_[i]);
    Restamps learned;
    learned.set = i;
    SetMatcher matcher(reader, set_offsets_.size() > 1 ? &memo : nullptr, now_ns,
                       restamps ? &learned : nullptr);
    if (ReadSet(reader, matcher)) {
      if (restamps) *restamps = std::move(learned);
      return matcher.result();
    }
  }
  return std::nullopt;
}

void Manifest::Restamp(const Restamps& restamps) {
  const size_t n = set_offsets_.size();
  if (restamps.set >= n) return;
  auto end_of = [&](size_t i) { return i + 1 < n ? set_offsets_[i + 1] : bytes_.size(); };
  const size_t begin = set_offsets_[restamps.set], end = end_of(restamps.set);
  ManifestReader reader(bytes_, parts_, begin);
  StampPatcher patcher(reader, restamps);
  ReadSet(reader, patcher);  // Index() checked the form
  // The part table and the set count stay; the restamped set comes first, the others follow.
  std::string bytes = bytes_.substr(0, set_offsets_.front());
  std::vector<size_t> offsets = {bytes.size()};
  bytes += patcher.Patched(bytes_, begin, end);
  for (size_t i = 0; i < n; ++i) {
    if (i == restamps.set) continue;
    offsets.push_back(bytes.size());
    bytes.append(bytes_, set_offsets_[i], end_of(i) - set_offsets_[i]);
  }
  bytes_ = std::move(bytes);
  set_offsets_ = std::move(offsets);
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
