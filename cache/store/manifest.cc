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
#include "cache/store/manifest_format.h"
#include "cache/util/bytes.h"

namespace ddcc {
namespace {

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

// Whether two include sets say the same of the same files, stamps aside.
bool SameDependencies(const IncludeSet& a, const IncludeSet& b) {
  auto same_file = [](const RecordedFile& x, const RecordedFile& y) {
    return x.path == y.path && x.content == y.content && x.real_path == y.real_path &&
           x.link_free == y.link_free;
  };
  auto same_group = [](const Absences& x, const Absences& y) {
    return x.paths == y.paths && x.directories == y.directories &&
           x.guard.has_value() == y.guard.has_value() && (!x.guard || x.guard->dir == y.guard->dir);
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
  // A file's path and content digest, as the encoding has them, and whether it must be reached
  // through no link.
  using FileKey = std::tuple<uint64_t, uint64_t, std::array<uint8_t, 16>, bool>;
  // Whether the file holds that content, and its stamp when hashing had to prove it.
  struct FileCheck {
    bool holds = false;
    std::optional<FileStamp> fresh;
  };

  // `memo`, when given, keeps the files' checks for the other sets, which share most of them.
  // `now_ns`: when a stamp seen is trusted, for `restamps` (when given).
  SetMatcher(const ManifestReader& in, absl::flat_hash_map<FileKey, FileCheck>* memo,
             LinkFreeWays& ways, int64_t now_ns, Manifest::Restamps* restamps)
      : in_(in), memo_(memo), ways_(ways), now_ns_(now_ns), restamps_(restamps) {}

  bool Result(const Digest& result) {
    result_ = result;
    return true;
  }
  bool File(const PathRef& path, const Digest& content, const FileStamp& stamp,
            const FileFlags& flags, const PathRef* real_path) {
    if (real_path && !LeadsTo(path, *real_path)) return false;
    FileCheck check;
    if (!memo_) {
      check = Check(path, content, stamp, flags);
    } else {
      auto [it, inserted] =
          memo_->try_emplace(FileKey{path.first, path.name, content.bytes, flags.link_free});
      if (inserted) it->second = Check(path, content, stamp, flags);
      check = it->second;
    }
    if (restamps_ && check.fresh && !(flags.trusted && *check.fresh == stamp)) {
      restamps_->files.emplace_back(file_index_, *check.fresh);
    }
    ++file_index_;
    return check.holds;
  }
  bool Group(const PathRef* dir, const FileStamp& stamp, bool directories) {
    directories_ = directories;
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
    if (restamps_ && check_absent_ && now.ok() && StampTrusted(*now, now_ns_, guard_dir_)) {
      guard_ = *now;
    }
    return true;
  }
  bool Absent(const PathRef& path) {
    if (!check_absent_) return true;
    if (NotListed(in_.BelowBase(path))) return true;
    in_.Spell(path, base_, path_);
    // A directory stays one while its guard holds: the guard may be restamped.
    if (directories_ && IsOwnDirectory(path_)) return true;
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
                  const FileFlags& flags) {
    in_.Spell(path, "", path_);
    if (flags.link_free && !ways_.DirectoryLinkFree(DirectoryOf(path_)))
      return {false, std::nullopt};
    absl::StatusOr<FileStamp> now = flags.link_free ? StampOwnFile(path_) : StampFile(path_);
    if (!now.ok()) return {false, std::nullopt};
    if (flags.trusted && *now == stamp) return {true, std::nullopt};
    absl::StatusOr<Digest> hashed = HashFile(path_);
    if (!hashed.ok() || *hashed != content) return {false, std::nullopt};
    if (!restamps_ || !StampTrusted(*now, now_ns_, path_)) return {true, std::nullopt};
    // A stamp that moved while the file was read does not vouch for what was read.
    absl::StatusOr<FileStamp> after = StampFile(path_);
    if (!after.ok() || *after != *now) return {true, std::nullopt};
    return {true, *now};
  }

  bool LeadsTo(const PathRef& path, const PathRef& real_path) {
    in_.Spell(path, "", path_);
    absl::StatusOr<std::string> real = RealPath(path_);
    in_.Spell(real_path, "", path_);
    return real.ok() && *real == AbsoluteNormalPath(path_);
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
  LinkFreeWays& ways_;
  int64_t now_ns_;
  Manifest::Restamps* restamps_;
  Digest result_;
  size_t file_index_ = 0;
  size_t group_index_ = 0;
  bool check_absent_ = true;
  bool directories_ = false;        // the group's paths may be directories
  std::optional<FileStamp> guard_;  // the changed guard's stamp, while it may be restamped
  std::string guard_dir_;
  absl::flat_hash_set<std::string> absent_dirs_;  // below the guard, on the way to absent paths
  int absences_checked_ = 0;                      // in this group
  bool listing_read_ = false;
  std::optional<absl::flat_hash_set<std::string>> listing_;  // the changed guard's (FoldedListing)
  std::string base_;
  std::string path_;  // reused: a hit spells hundreds of paths
};

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

void Manifest::Merge(const Manifest& other) {
  std::vector<IncludeSet> sets = this->sets();
  std::vector<IncludeSet> added;
  for (IncludeSet& theirs : other.sets()) {
    if (std::none_of(sets.begin(), sets.end(),
                     [&](const IncludeSet& ours) { return SameDependencies(ours, theirs); })) {
      added.push_back(std::move(theirs));
    }
  }
  // A full manifest gives up its oldest sets for theirs, up to half of what it keeps.
  const size_t kept_added = std::min(added.size(), kMaxSets / 2);
  if (sets.size() + kept_added > kMaxSets) sets.resize(kMaxSets - kept_added);
  const size_t room = kMaxSets - sets.size();
  for (size_t i = 0; i < added.size() && i < room; ++i) sets.push_back(std::move(added[i]));
  bytes_ = EncodeSets(sets);
  Index();
}

std::optional<Digest> Manifest::Match() const { return Match(NowNs(), nullptr); }

std::optional<Digest> Manifest::Match(int64_t now_ns, Restamps* restamps) const {
  // Sets share most of their files: with several sets, each file is checked once.
  absl::flat_hash_map<SetMatcher::FileKey, SetMatcher::FileCheck> memo;
  LinkFreeWays ways;
  for (size_t i = 0; i < set_offsets_.size(); ++i) {
    ManifestReader reader(bytes_, parts_, set_offsets_[i]);
    Restamps learned;
    learned.set = i;
    SetMatcher matcher(reader, set_offsets_.size() > 1 ? &memo : nullptr, ways, now_ns,
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
  LinkFreeWays ways;
  for (const RecordedFile& file : newest.files) {
    absl::StatusOr<Digest> content = HashFile(file.path);
    if (!content.ok()) return Mismatch{Mismatch::Kind::kMissing, file.path};  // or unreadable
    if (*content != file.content) return Mismatch{Mismatch::Kind::kChanged, file.path};
    if ((!file.real_path.empty() &&
         RealPath(file.path).value_or("") != AbsoluteNormalPath(file.real_path)) ||
        (file.link_free && !ways.LinkFree(file.path))) {
      return Mismatch{Mismatch::Kind::kRelinked, file.path};
    }
  }
  for (const Absences& group : newest.absences) {
    for (const std::string& path : group.paths) {
      if (!absl::IsNotFound(StampFile(path).status()) &&
          !(group.directories && IsOwnDirectory(path))) {
        return Mismatch{Mismatch::Kind::kExists, path};
      }
    }
  }
  return std::nullopt;
}

}  // namespace ddcc
