// The manifest's encoding (cache/store/manifest.h), shared by what writes it and what reads it.
// Inside an entry's checksummed body (integers are LEB128 varints, cache/util/bytes.h):
//   the part table: count, then each part as its length and bytes;
//   the sets: count; per set: 16-byte result key, file count, files, absence group count, groups.
//   A file: path, 16-byte content digest, stamp, flags (1: trusted; 2: its real path follows,
//   as a path; 4: no link may lie on its way). A group: flags (1: guarded; 2: its paths may be
//   directories), when guarded the directory's path and stamp; then a path count and the paths. A
//   path: 2n+1 for part n appended to the group's guard directory (absent paths lie below it), or
//   2n then m for parts n and m: its directory up to the last '/' included, and the rest. A stamp:
//   device, inode, size, mtime, ctime.
// Thousands of absent paths are a few search directories times a few hundred header names, so
// an absent path costs one or two bytes before compression.
#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "cache/store/include_set.h"
#include "cache/store/manifest.h"
#include "cache/util/bytes.h"
#include "cache/util/hash.h"

namespace ddcc {

// Absent paths are stored relative to their group's guard directory, which they lie below.
inline std::string BaseOf(absl::string_view dir) {
  if (dir == ".") return "";
  return absl::StrCat(dir, absl::EndsWith(dir, "/") ? "" : "/");
}

inline std::string GroupBase(const Absences& group) {
  return group.guard ? BaseOf(group.guard->dir) : "";
}

// Where a path is in the part table: 2n+1 for part n after a base directory, or 2n and m.
// A file's flags: whether its stamp is trusted, whether a real path follows, and whether no link
// may lie on its way.
struct FileFlags {
  bool trusted = false;
  bool has_real_path = false;
  bool link_free = false;
  uint64_t Encoded() const {
    return (trusted ? 1 : 0) | (has_real_path ? 2 : 0) | (link_free ? 4 : 0);
  }
};

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
  // A group's flags: whether it is guarded, and whether its paths may be directories.
  bool GroupFlags(bool& guarded, bool& directories) {
    uint64_t value;
    if (!reader_.Varint(value) || value > 3) return false;
    guarded = value & 1;
    directories = value & 2;
    return true;
  }
  bool Flag(bool& flag) {
    uint64_t value;
    if (!reader_.Varint(value) || value > 1) return false;
    flag = value == 1;
    return true;
  }

  bool Flags(FileFlags& flags) {
    uint64_t value;
    if (!reader_.Varint(value) || value > 7) return false;
    flags = {.trusted = (value & 1) != 0,
             .has_real_path = (value & 2) != 0,
             .link_free = (value & 4) != 0};
    last_flags_end_ = offset();
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
  // Where the stamp read last lies, and where the file flags read last end.
  size_t last_stamp_begin() const { return last_stamp_begin_; }
  size_t last_stamp_end() const { return last_stamp_end_; }
  size_t last_flags_end() const { return last_flags_end_; }

 private:
  absl::string_view PartAt(uint64_t n) const {
    return bytes_.substr(parts_[n].first, parts_[n].second);
  }

  absl::string_view bytes_;
  ByteReader reader_;
  const std::vector<Part>& parts_;
  size_t last_stamp_begin_ = 0;
  size_t last_stamp_end_ = 0;
  size_t last_flags_end_ = 0;
};

// The grammar of one include set, told item by item to `on`, which may stop the reading by
// returning false. False also when the set is malformed.
template <typename On>
bool ReadSet(ManifestReader& in, On& on) {
  Digest result;
  uint64_t files, groups;
  if (!in.Hash(result) || !in.Count(files) || !on.Result(result)) return false;
  for (uint64_t f = 0; f < files; ++f) {
    PathRef path, real_path;
    Digest content;
    FileStamp stamp;
    FileFlags flags;
    if (!in.Path(path) || !in.Hash(content) || !in.Stamp(stamp) || !in.Flags(flags) ||
        (flags.has_real_path && !in.Path(real_path)) ||
        !on.File(path, content, stamp, flags, flags.has_real_path ? &real_path : nullptr)) {
      return false;
    }
  }
  if (!in.Count(groups)) return false;
  for (uint64_t g = 0; g < groups; ++g) {
    bool guarded, directories;
    PathRef dir;
    FileStamp stamp;
    uint64_t count;
    if (!in.GroupFlags(guarded, directories) || (guarded && !(in.Path(dir) && in.Stamp(stamp))) ||
        !in.Count(count) || !on.Group(guarded ? &dir : nullptr, stamp, directories)) {
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
  bool File(const PathRef&, const Digest&, const FileStamp&, const FileFlags&, const PathRef*) {
    return true;
  }
  bool Group(const PathRef*, const FileStamp&, bool) { return true; }
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
  bool File(const PathRef& path, const Digest& content, const FileStamp& stamp,
            const FileFlags& flags, const PathRef* real_path) {
    RecordedFile& file = set_.files.emplace_back();
    in_.Spell(path, "", file.path);
    file.content = content;
    file.stamp = stamp;
    file.stamp_trusted = flags.trusted;
    file.link_free = flags.link_free;
    if (real_path) in_.Spell(*real_path, "", file.real_path);
    return true;
  }
  bool Group(const PathRef* dir, const FileStamp& stamp, bool directories) {
    Absences& group = set_.absences.emplace_back();
    group.directories = directories;
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

void AppendDigest(std::string& out, const Digest& digest);
void AppendStamp(std::string& out, const FileStamp& stamp);

// Rewrites the stamps a Match() learned in the encoding of the set it matched, leaving the
// rest of its bytes as they are: a restamp spells no path.
class StampPatcher {
 public:
  StampPatcher(const ManifestReader& in, const Manifest::Restamps& restamps)
      : in_(in), restamps_(restamps) {}

  bool Result(const Digest&) { return true; }
  bool File(const PathRef&, const Digest&, const FileStamp&, FileFlags flags, const PathRef*) {
    const auto& files = restamps_.files;
    if (next_file_ < files.size() && files[next_file_].first == file_index_) {
      // The stamp and the flags after it, just read: the new stamp, trusted.
      flags.trusted = true;
      Replace(in_.last_stamp_begin(), in_.last_flags_end(), files[next_file_++].second,
              flags.Encoded());
    }
    ++file_index_;
    return true;
  }
  bool Group(const PathRef* dir, const FileStamp&, bool) {
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

  // `flags`: a file's, to write after the stamp; none for a guard's.
  void Replace(size_t begin, size_t end, const FileStamp& stamp,
               std::optional<uint64_t> flags = std::nullopt) {
    Replacement& r = replacements_.emplace_back(Replacement{begin, end, {}});
    AppendStamp(r.bytes, stamp);
    if (flags) AppendVarint(r.bytes, *flags);
  }

  const ManifestReader& in_;
  const Manifest::Restamps& restamps_;
  std::vector<Replacement> replacements_;  // in the order of the bytes
  size_t file_index_ = 0, group_index_ = 0, next_file_ = 0, next_guard_ = 0;
};

// The sets, newest first, with the part table they use.
std::string EncodeSets(const std::vector<IncludeSet>& include_sets);

}  // namespace ddcc
