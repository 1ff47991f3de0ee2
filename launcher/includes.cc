#include "launcher/includes.h"

#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <string_view>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "cache/util/files.h"
#include "launcher/asm_scan.h"
#include "launcher/header_names.h"
#include "launcher/source_includes.h"

namespace ddcc {
namespace {

std::string Join(absl::string_view dir, absl::string_view name) {
  if (dir.empty() || absl::StartsWith(name, "/")) return std::string(name);
  return absl::StrCat(dir, absl::EndsWith(dir, "/") ? "" : "/", name);
}

std::string LexicallyNormal(const std::string& path) {
  std::string normal = std::filesystem::path(path).lexically_normal().string();
  if (normal.size() > 1 && normal.back() == '/') normal.pop_back();
  return normal;
}

// `path` less its "." components and repeated slashes, its ".." kept.
std::string WithoutDots(const std::string& path) {
  std::vector<absl::string_view> kept;
  for (absl::string_view part : absl::StrSplit(path, '/')) {
    if (part != "." && !part.empty()) kept.push_back(part);
  }
  std::string joined = absl::StrJoin(kept, "/");
  if (absl::StartsWith(path, "/")) return absl::StrCat("/", joined);
  return joined.empty() ? "." : joined;
}

bool Contains(const std::vector<std::string>& list, const std::string& item) {
  return std::find(list.begin(), list.end(), item) != list.end();
}

// Adds to `candidates` the paths the compiler may have tried before finding `path` in a search
// directory, the include being in a file in one of `includer_dirs`: every reading of the path as
// a search directory plus a name. Whether some search directory holds `path`.
bool SearchedBefore(const std::string& path, const std::vector<std::string>& includer_dirs,
                    const SearchPath& search, std::vector<std::string>& candidates) {
  std::vector<std::string> dirs = search.quote;
  dirs.insert(dirs.end(), search.angle.begin(), search.angle.end());
  bool found = false;
  // Spelled as the compiler may spell them: a dependency file drops the "./" of "-I./inc". And
  // with its ".." kept: "../common/x.h" found in -Ia/b is a/b/../common/x.h, which no search
  // directory holds once normal.
  for (const auto normal : {LexicallyNormal, WithoutDots}) {
    const std::string normal_path = normal(path);
    for (size_t i = 0; i < dirs.size(); ++i) {
      std::string normal_dir = normal(dirs[i]);
      std::string prefix = normal_dir == "." ? "" : Join(normal_dir, "");
      if (!absl::StartsWith(normal_path, prefix) || normal_path.size() == prefix.size()) continue;
      found = true;
      absl::string_view name = absl::string_view(normal_path).substr(prefix.size());
      std::vector<std::string> tried;
      for (const std::string& dir : includer_dirs) tried.push_back(Join(dir, name));
      for (size_t j = 0; j < i; ++j) tried.push_back(Join(dirs[j], name));
      for (std::string& candidate : tried) {
        if (candidate != path && !Contains(candidates, candidate)) {
          candidates.push_back(std::move(candidate));
        }
      }
    }
  }
  return found;
}

// The places `#include` of `directive` may look at, in the compiler's order.
std::vector<std::string> Readings(const IncludeDirective& directive, const SearchPath& search) {
  if (absl::StartsWith(directive.name, "/")) return {directive.name};
  std::vector<std::string> readings;
  if (directive.quoted && !directive.next) {
    readings.push_back(Join(DirOf(directive.includer), directive.name));
  }
  for (const std::vector<std::string>* dirs : {&search.quote, &search.angle}) {
    if (dirs == &search.quote && !directive.quoted) continue;
    for (const std::string& dir : *dirs) readings.push_back(Join(dir, directive.name));
  }
  return readings;
}

// Whether two names of directories ("" for the working one) lead to one directory.
bool SameDirectory(const std::string& a, const std::string& b) {
  if (a == b) return true;
  struct stat sa, sb;
  return stat(a.empty() ? "." : a.c_str(), &sa) == 0 &&
         stat(b.empty() ? "." : b.c_str(), &sb) == 0 && sa.st_dev == sb.st_dev &&
         sa.st_ino == sb.st_ino;
}

// Records what both ways of learning a compile's files share: the search path's missing
// directories, the source, each header with the places tried before it, and what the files'
// contents ask (time macros, __has_include). A failure that only makes the set unusable for
// direct mode (FailedPrecondition) is kept for Finish while the rest is still checked: the
// caller also learns whether any input changed (Aborted).
class IncludeSetRecorder {
 public:
  // `without_text`: depend mode, with no preprocessed text to check. A file that may make the
  // assembler read files then makes the set unusable. (__DATE__ keeps the result to its day: the
  // text shows it in use, or without text the files' naming it, Finish's `date_macro`.)
  IncludeSetRecorder(const SearchPath& search, const IncludeSetOptions& options,
                     const PathRewriter& paths, IncludeSetBuilder builder, bool without_text)
      : search_(search),
        options_(options),
        paths_(paths),
        builder_(std::move(builder)),
        without_text_(without_text) {}

  absl::Status AddSource(const std::string& source) {
    if (search_.has_maps) {
      return absl::FailedPreconditionError(
          "the search path holds framework directories or header maps");
    }
    for (const std::string& dir : search_.missing) {
      if (absl::Status status = AddCandidate(dir, false); !status.ok()) return status;
    }
    for (const std::string& dir : options_.named_search_dirs) {
      if (IsDirectory(dir)) continue;
      if (absl::Status status = AddCandidate(dir, false); !status.ok()) return status;
    }
    for (const std::string& input : options_.extra_inputs) {
      if (absl::Status status = AddCandidate(input, false); !status.ok()) return status;
    }
    ScannedText& command_line = texts_.emplace_back();
    scans_.push_back({"", ScanContent(options_.command_line, &command_line), false, ""});
    // The source is in the direct key already; recording it too makes sure it did not change
    // during the compile.
    if (absl::Status status = AddRead(source); !status.ok()) return status;
    return without_text_ ? AddPrecompiledPlacesOfSource(source) : absl::OkStatus();
  }

  bool Has(const std::string& path) const { return builder_.Has(paths_.Relative(path)); }

  absl::Status AddHeader(const std::string& path, const std::vector<std::string>& tried_before) {
    if (absl::Status status = AddRead(path); !status.ok()) return status;
    return AddTried(tried_before);
  }

  // A file the compiler reads only if it is there (the file a #line names, for gcc's messages).
  absl::Status AddReadIfThere(const std::string& path) { return AddCandidate(path, false); }

  // Places searched before a header that was found (and read) before as another's candidate.
  absl::Status AddTried(const std::vector<std::string>& tried_before) {
    for (const std::string& candidate : tried_before) {
      if (absl::Status status = AddCandidate(candidate); !status.ok()) return status;
    }
    return absl::OkStatus();
  }

  absl::Status AddDirective(const IncludeDirective& directive) {
    for (const std::string& place : SearchedPlaces(directive, search_)) {
      if (absl::Status status = AddCandidate(place); !status.ok()) return status;
    }
    return absl::OkStatus();
  }

  // Ties a file read to its real path, by which gcc would name it were that shorter (and clang
  // compares its name's case with): below a base directory, where the tree's path is not keyed,
  // a real path below one too is kept relative (both grow with the tree's path).
  absl::Status KeepRealPath(const std::string& path) {
    const std::string relative = paths_.Relative(path);
    if (!builder_.Has(relative)) {
      // Found under a name the compiler did not enter it by: nothing to tie the name to.
      Refuse(absl::FailedPreconditionError(
          absl::StrCat(path, " was found through a link, but entered under another name")));
      return absl::OkStatus();
    }
    absl::StatusOr<std::string> real = RealPath(path);
    if (!real.ok()) return absl::AbortedError(real.status().message());
    const std::string real_relative = paths_.Relative(*real);
    // Only where another tree may hit (not in depend mode, which keys each tree apart) and gcc
    // chooses between the names by their lengths (clang keeps the name; the tie holds there).
    if (relative != path && real_relative == *real && !without_text_ &&
        !options_.one_entry_per_file) {
      Refuse(absl::FailedPreconditionError(absl::StrCat(
          path, " leads out of the base directory: gcc may name it by its real path elsewhere")));
      return absl::OkStatus();
    }
    // Below a base directory, as another tree's would be.
    return builder_.KeepRealPath(relative, real_relative);
  }

  // Ties a file read, to which no link leads, to staying so (IncludeSetBuilder::KeepLinkFree).
  void KeepLinkFree(const std::string& path) {
    const std::string relative = paths_.Relative(path);
    absl::Status kept =
        builder_.Has(relative)
            ? builder_.KeepLinkFree(relative)
            : absl::FailedPreconditionError(absl::StrCat(path, " was entered under another name"));
    if (!kept.ok()) Refuse(std::move(kept));
  }

  // clang keeps one entry per file, whose quoted #includes it searches beside the first name it
  // opened the file by: a file opened by two names in two directories cannot be followed.
  void NoteOpenedName(const std::string& path) {
    struct stat st;
    if (!options_.one_entry_per_file || stat(path.c_str(), &st) != 0) return;
    auto [first, added] = names_.try_emplace(std::make_pair(st.st_dev, st.st_ino), path);
    if (!added && !SameDirectory(DirOf(first->second), DirOf(path))) {
      Refuse(absl::FailedPreconditionError(absl::StrCat(
          first->second, " and ", path, " are one file, which clang searches beside once")));
    }
  }

  // A failure to understand how a header was found: no direct mode, but the checks go on.
  void Refuse(absl::Status why) {
    if (refusal_.ok()) refusal_ = std::move(why);
  }

  // `date_macro`, where given, is set when a file names __DATE__.
  absl::StatusOr<IncludeSet> Finish(const Digest& result, bool* date_macro = nullptr) && {
    // A probe's text may be expanded in any file of the set: ask it from each one's directory.
    std::vector<std::string> dirs;
    for (const Scanned& scanned : scans_) {
      if (!Contains(dirs, DirOf(scanned.path))) dirs.push_back(DirOf(scanned.path));
    }
    ReadProbeMacroCalls();
    const AllowedTimeMacros allowed = options_.allowed;
    // Each content's first file: its path, read lexically, and the file it is.
    struct OnceFile {
      std::string path;
      std::string normal;
      FileIdentity identity;
    };
    absl::flat_hash_map<std::string, OnceFile> once_files;
    const bool imports = std::any_of(scans_.begin(), scans_.end(), [](const Scanned& scanned) {
      return scanned.scan.import_directive;
    });
    // By index, on copies: a file a probe finds is read, and scanned, in the loop.
    for (size_t i = 0; i < scans_.size(); ++i) {
      const Scanned scanned = scans_[i];
      const ContentScan& scan = scanned.scan;
      if (allowed != AllowedTimeMacros::kAll &&
          (scan.time_macro || scan.timestamp_macro ||
           (scan.date_macro &&
            (allowed == AllowedTimeMacros::kNone || (without_text_ && date_macro == nullptr))))) {
        Refuse(absl::FailedPreconditionError("a time macro makes the result depend on the clock"));
      }
      if (scan.date_macro && date_macro != nullptr) *date_macro = true;
      if (scan.computed_probe) Refuse(absl::FailedPreconditionError("a computed __has_include"));
      if (scan.pragma_once || imports) {
        const std::string normal = LexicallyNormal(scanned.path);
        const FileIdentity identity = IdentityOf(scanned.path);
        auto [first, added] = once_files.try_emplace(scanned.content_digest,
                                                     OnceFile{scanned.path, normal, identity});
        // One file under two spellings is entered once, while no link on the way of either
        // (a directory a `..` leaves included) makes them two; two files alike gcc tells apart
        // by their mtimes, which no key holds.
        if (!added && first->second.normal == normal && first->second.identity == identity) {
          if (first->second.path != scanned.path) {
            KeepLinkFree(first->second.path);
            KeepLinkFree(scanned.path);
          }
        } else if (!added) {
          Refuse(absl::FailedPreconditionError(
              "two files alike under #pragma once or #import: gcc tells them apart by their "
              "mtimes"));
        }
      }
      if (scan.line_marker) Refuse(absl::FailedPreconditionError("a file holds a line marker"));
      if (without_text_ && scan.line_directive) {
        Refuse(absl::FailedPreconditionError(
            "a file holds #line, whose file gcc may quote: only preprocessed text names it"));
      }
      if (scan.trigraph_splice) {
        Refuse(absl::FailedPreconditionError("a file splices lines with the trigraph ?\?/"));
      }
      if (scan.pragma_dependency) {
        Refuse(absl::FailedPreconditionError(
            "#pragma GCC dependency: the compiler's warning depends on file times"));
      }
      if (scanned.feeds_assembler) {
        Refuse(absl::FailedPreconditionError(
            "a file may make the assembler read files (.incbin) or name the directory (.loc)"));
      }
      for (const ContentScan::Probe& probe : scan.probes) {
        for (const std::string& dir : dirs) {
          // The probe looks no further than the first file it finds, unless it searches on
          // past its own file's directory (ContentScan::Probe::next).
          for (const std::string& candidate : ProbeCandidates(probe, dir, search_)) {
            bool found = false;
            if (absl::Status status = AddCandidate(candidate, true, &found); !status.ok()) {
              return status;
            }
            if (found && !probe.next) break;
          }
        }
      }
    }
    if (ProbeWordIsMacro()) {
      Refuse(absl::FailedPreconditionError("a __has_include's <...> holds a macro's name"));
    }
    if (!refusal_.ok()) return refusal_;
    return std::move(builder_).Finish(result);
  }

 private:
  // The first name of each file read, by device and inode (one_entry_per_file).
  absl::flat_hash_map<std::pair<dev_t, ino_t>, std::string> names_;

  using FileIdentity = std::pair<dev_t, ino_t>;

  struct Scanned {
    std::string path;
    ContentScan scan;
    bool feeds_assembler;        // depend mode: what only the preprocessed text would show
    std::string content_digest;  // for #pragma once and #import
  };

  // The file at `path` as stat() tells it; none where it cannot.
  static FileIdentity IdentityOf(const std::string& path) {
    struct stat st;
    if (stat(path.c_str(), &st) != 0) return {};
    return {st.st_dev, st.st_ino};
  }

  // A path the compiler looked at, with its precompiled form where gcc would look for one (for
  // a header).
  // `found_file`, when given, learns whether a file is there.
  absl::Status AddCandidate(const std::string& path, bool header = true,
                            bool* found_file = nullptr) {
    if (header) {
      if (absl::Status status = AddPrecompiledCandidate(path); !status.ok()) return status;
    }
    const std::string relative = paths_.Relative(path);
    absl::StatusOr<bool> found = builder_.AddCandidate(relative);
    if (absl::IsFailedPrecondition(found.status())) {
      Refuse(found.status());
      return absl::OkStatus();
    }
    if (!found.ok()) return found.status();
    if (found_file != nullptr) *found_file = *found || builder_.HasFile(relative);
    // One found is read like a header: what it holds may matter as much.
    return *found ? AddRead(path) : absl::OkStatus();
  }

  // gcc may read a precompiled header in place of a header an #include of the source names
  // (of no other file), which its dependency file then leaves out with the header: depend mode
  // looks at each place where gcc would look for one, as the preprocessed text shows the header.
  absl::Status AddPrecompiledPlacesOfSource(const std::string& source) {
    if (!options_.precompiled_headers) return absl::OkStatus();
    std::optional<std::vector<IncludeDirective>> directives =
        IncludesOfText(texts_.back().text, source);
    if (!directives) {
      Refuse(absl::FailedPreconditionError(
          "the source names a header by a macro, for which gcc may read a precompiled header"));
      return absl::OkStatus();
    }
    for (const IncludeDirective& directive : *directives) {
      for (const std::string& place : SearchedPlaces(directive, search_)) {
        if (absl::Status status = AddPrecompiledCandidate(place); !status.ok()) return status;
      }
    }
    return absl::OkStatus();
  }

  absl::Status AddPrecompiledCandidate(const std::string& path) {
    if (!options_.precompiled_headers) return absl::OkStatus();
    std::string precompiled = path + ".gch";
    // gcc reads a .gch directory too: each file in it that fits.
    absl::StatusOr<bool> found = builder_.AddCandidate(paths_.Relative(precompiled), true);
    if (absl::IsFailedPrecondition(found.status()) || (found.ok() && *found)) {
      return absl::AbortedError(absl::StrCat("the compiler may read ", precompiled));
    }
    return found.status();
  }

  // A file the compiler read: one that cannot be read now may have changed.
  absl::Status AddRead(const std::string& path) {
    if (absl::Status status = AddPrecompiledCandidate(path); !status.ok()) return status;
    absl::StatusOr<std::string> content = builder_.AddFile(paths_.Relative(path));
    if (!content.ok()) {
      if (absl::IsAborted(content.status())) return content.status();
      return absl::AbortedError(content.status().message());
    }
    // Depend mode's list holds every name the compiler opened (NoteOpenedName); a place read
    // only as a candidate was not opened.
    if (!without_text_) NoteOpenedName(path);
    // Only depend mode needs the raw scan: the preprocessed text shows the rest.
    ScannedText& text = texts_.emplace_back();
    ContentScan scan = ScanContent(*content, &text);
    Hasher hasher;
    hasher.Update(*content);
    std::string content_digest = hasher.Finish().Hex();
    // Raw, and with splices joined (a backslash and a lone CR too: ".inc\<CR>bin").
    const bool feeds_assembler =
        without_text_ &&
        (ScanRawCText(*content).has_value() || ScanRawCText(text.text).has_value() ||
         HoldsLineTableDirective(*content) || HoldsLineTableDirective(text.text));
    scans_.push_back({path, std::move(scan), feeds_assembler, std::move(content_digest)});
    return absl::OkStatus();
  }

  // Adds the probes that calls of probe macros make, in every file read so far (a macro one
  // header defines, another calls).
  void ReadProbeMacroCalls() {
    absl::flat_hash_set<std::string> macros;
    for (const Scanned& scanned : scans_) {
      macros.insert(scanned.scan.probe_macros.begin(), scanned.scan.probe_macros.end());
    }
    if (macros.empty()) return;
    // A macro may pass its argument on to another: read until no file defines a new one.
    for (bool grew = true; grew;) {
      grew = false;
      for (const ScannedText& text : texts_) {
        for (std::string& macro : ScanProbeMacroCalls(text, macros, nullptr)) {
          grew |= macros.insert(std::move(macro)).second;
        }
      }
    }
    for (size_t i = 0; i < texts_.size(); ++i) {
      ScanProbeMacroCalls(texts_[i], macros, &scans_[i].scan);
    }
  }

  bool ProbeWordIsMacro() const {
    absl::flat_hash_set<std::string> words;
    for (const Scanned& scanned : scans_) {
      words.insert(scanned.scan.probe_words.begin(), scanned.scan.probe_words.end());
    }
    if (words.empty()) return false;
    if (DefinesOneOf(search_.predefined, words)) return true;
    return std::any_of(texts_.begin(), texts_.end(), [&](const ScannedText& text) {
      return DefinesOneOf(text.text, words) || DefinesOneOf(text.raw, words);
    });
  }

  const SearchPath& search_;
  const IncludeSetOptions& options_;
  const PathRewriter& paths_;
  IncludeSetBuilder builder_;
  std::vector<Scanned> scans_;
  std::vector<ScannedText> texts_;  // what each scan read
  const bool without_text_;
  absl::Status refusal_;
};

}  // namespace

bool SearchPathHolds(const SearchPath& search) {
  for (const std::vector<std::string>* dirs : {&search.quote, &search.angle}) {
    for (const std::string& dir : *dirs) {
      if (!StampFile(dir).ok()) return false;
    }
  }
  for (const std::string& dir : search.missing) {
    if (!absl::IsNotFound(StampFile(dir).status())) return false;
  }
  return true;
}

absl::StatusOr<std::vector<std::string>> ShadowCandidates(const EnteredHeader& header,
                                                          const SearchPath& search) {
  // An absolute #include searches nothing; a header beside its includer (a quoted #include)
  // is the first place searched.
  bool understood = absl::StartsWith(header.path, "/") || header.includer_dir.empty() ||
                    absl::StartsWith(header.path, header.includer_dir + "/");
  std::vector<std::string> candidates;
  std::vector<std::string> includer_dirs;
  if (header.beside_includer) includer_dirs.push_back(header.includer_dir);
  if (!SearchedBefore(header.path, includer_dirs, search, candidates) && !understood) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot tell how the compiler found ", header.path));
  }
  return candidates;
}

std::vector<std::string> SearchedPlaces(const IncludeDirective& directive,
                                        const SearchPath& search) {
  std::vector<std::string> places;
  bool passed_includer = !directive.next;
  for (std::string& reading : Readings(directive, search)) {
    // The compiler passes over a directory (src/memory for <memory>).
    absl::StatusOr<PathKind> kind = KindOf(reading);
    bool found = kind.ok() && *kind == PathKind::kFile;
    // #include_next goes on past the includer's own directory (and any before it).
    bool last = found && passed_includer;
    passed_includer |= reading == directive.includer;
    places.push_back(std::move(reading));
    if (last) break;
  }
  return places;
}

std::optional<std::string> FindPrecompiledHeader(const PreprocessedIncludes& includes,
                                                 const SearchPath& search) {
  std::vector<std::string> places;
  for (const EnteredHeader& header : includes.headers) places.push_back(header.path);
  for (const IncludeDirective& directive : includes.directives) {
    for (std::string& place : SearchedPlaces(directive, search)) places.push_back(std::move(place));
  }
  for (const std::string& place : places) {
    if (std::string precompiled = place + ".gch"; StampFile(precompiled).ok()) return precompiled;
  }
  return std::nullopt;
}

std::vector<std::string> ProbeCandidates(const ContentScan::Probe& probe, const std::string& dir,
                                         const SearchPath& search) {
  std::vector<std::string> candidates;
  if (probe.quoted) {
    candidates.push_back(Join(dir, probe.name));
    for (const std::string& quote : search.quote) candidates.push_back(Join(quote, probe.name));
  }
  for (const std::string& angle : search.angle) candidates.push_back(Join(angle, probe.name));
  return candidates;
}

absl::StatusOr<IncludeSet> RecordIncludeSet(const std::string& source,
                                            const PreprocessedIncludes& includes,
                                            const ExpandedTime& expanded, const SearchPath& search,
                                            const IncludeSetOptions& options,
                                            const PathRewriter& paths, IncludeSetBuilder builder,
                                            const Digest& result) {
  IncludeSetRecorder recorder(search, options, paths, std::move(builder), false);
  if (absl::Status status = recorder.AddSource(source); !status.ok()) return status;
  absl::StatusOr<NameTies> named_as_found = NameTies{};
  if (options.canonical_system_headers) {
    named_as_found = NamedAsFound(includes, search, options.forced_includes);
    if (!named_as_found.ok()) recorder.Refuse(named_as_found.status());
  }
  for (const EnteredHeader& header : includes.headers) {
    if (recorder.Has(header.path)) continue;
    absl::StatusOr<std::vector<std::string>> candidates = ShadowCandidates(header, search);
    if (!candidates.ok()) recorder.Refuse(candidates.status());
    if (absl::Status status = recorder.AddHeader(
            header.path, candidates.ok() ? *candidates : std::vector<std::string>{});
        !status.ok()) {
      return status;
    }
  }
  for (const IncludeDirective& directive : includes.directives) {
    if (absl::Status status = recorder.AddDirective(directive); !status.ok()) return status;
  }
  NameTies ties = named_as_found.value_or(NameTies{});
  if (options.one_entry_per_file) ties = FoundThroughNamedLinks(includes, search);  // clang
  for (const std::string& header : ties.ties) {
    if (absl::Status status = recorder.KeepRealPath(header); !status.ok()) return status;
  }
  for (const std::string& header : ties.link_free) recorder.KeepLinkFree(header);
  // gcc quotes a message's source line from the file a #line names, read if there, else not.
  for (const std::string& file : includes.renamed) {
    if (absl::Status status = recorder.AddReadIfThere(file); !status.ok()) return status;
  }
  // Time macros reached in ways no scan of the files sees (token pasting) show expanded.
  // (__DATE__ is for the pipeline: the result is then served only on its day.)
  if (options.allowed != AllowedTimeMacros::kAll &&
      (expanded.time || expanded.timestamp ||
       (expanded.date && options.allowed == AllowedTimeMacros::kNone))) {
    recorder.Refuse(absl::FailedPreconditionError("the text holds an expanded time macro"));
  }
  // The preprocessed text was checked for .incbin before.
  return std::move(recorder).Finish(result);
}

absl::StatusOr<IncludeSet> RecordDependIncludeSet(const std::string& source,
                                                  const std::vector<std::string>& files,
                                                  const SearchPath& search,
                                                  const IncludeSetOptions& options,
                                                  const PathRewriter& paths,
                                                  IncludeSetBuilder builder, bool* date_macro) {
  // "": the working directory, from which -include and the implicit stdc-predef.h are searched.
  std::vector<std::string> includer_dirs = {""};
  for (const std::string& file : files) {
    if (std::string dir = DirOf(file); !Contains(includer_dirs, dir)) includer_dirs.push_back(dir);
  }
  IncludeSetRecorder recorder(search, options, paths, std::move(builder), true);
  if (absl::Status status = recorder.AddSource(source); !status.ok()) return status;
  PlainNames names;
  for (const std::string& file : files) {
    recorder.NoteOpenedName(file);
    if (file == source) continue;
    // A header in no search directory was found beside its includer, or named absolutely: then
    // nothing was tried before it.
    std::vector<std::string> candidates;
    SearchedBefore(file, includer_dirs, search, candidates);
    // One read already (a place searched before another header: the next file of an
    // #include_next chain) was searched for itself too.
    absl::Status status =
        recorder.Has(file) ? recorder.AddTried(candidates) : recorder.AddHeader(file, candidates);
    if (!status.ok()) return status;
    // Which files are system headers, whose names gcc may shorten, the list does not say; nor
    // the names clang compares with real paths (FoundThroughNamedLinks): every file, then.
    if (!options.canonical_system_headers && !options.one_entry_per_file) continue;
    if (options.one_entry_per_file ? names.LinkFree(file) : names.Plain(file)) {
      recorder.KeepLinkFree(file);
    } else if (absl::Status kept = recorder.KeepRealPath(file); !kept.ok()) {
      return kept;
    }
  }
  return std::move(recorder).Finish(Digest{}, date_macro);
}

}  // namespace ddcc
