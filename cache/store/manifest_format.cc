#include "cache/store/manifest_format.h"

#include "absl/container/flat_hash_map.h"
#include "absl/strings/match.h"

namespace ddcc {
namespace {

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

}  // namespace

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
      const FileFlags flags = {.trusted = file.stamp_trusted,
                               .has_real_path = !file.real_path.empty(),
                               .link_free = file.link_free};
      AppendVarint(sets, flags.Encoded());
      if (!file.real_path.empty()) table.AppendPath(sets, file.real_path);
    }
    AppendVarint(sets, set.absences.size());
    for (const Absences& group : set.absences) {
      AppendVarint(sets, (group.guard ? 1 : 0) | (group.directories ? 2 : 0));
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

}  // namespace ddcc
