// Path independence (docs/paths.md). Keys and manifests name absolute paths below a base
// directory (DDCC_BASEDIR) relative to the working directory, so the same tree at another place
// gives the same keys and finds the same headers. Given the working directory, the relative form
// says exactly what the absolute one said, so where the result depends on the directory, the key
// holds the working directory as well and nothing is lost.
#pragma once

#include <functional>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "cache/util/hash.h"
#include "launcher/config.h"

namespace ddcc {

class PathRewriter {
 public:
  // `base_dirs` as Config holds them; `cwd` absolute, as getcwd() gives it (relative paths are
  // opened from there, so they must be relative to it); `compiler_cwd` the name gcc and clang
  // give it in debug info: $PWD when that is the working directory, else `cwd`.
  // `args`: the call's, whose debug prefix maps SameInMappedDebugInfo follows.
  PathRewriter(std::vector<std::string> base_dirs, std::string cwd, std::string compiler_cwd,
               std::vector<std::string> args = {})
      : base_dirs_(std::move(base_dirs)),
        cwd_(std::move(cwd)),
        cwd_parts_(PlainParts(cwd_)),
        compiler_cwd_(std::move(compiler_cwd)),
        args_(std::move(args)) {}

  const std::string& cwd() const { return cwd_; }
  const std::string& compiler_cwd() const { return compiler_cwd_; }
  bool active() const { return !base_dirs_.empty(); }
  const std::vector<std::string>& base_dirs() const { return base_dirs_; }

  // `path` relative to the working directory when it is absolute and below a base directory
  // (trailing slashes are kept; "." and ".." components and doubled slashes after the part
  // shared with the working directory too, behind a "." component); otherwise `path` as it is.
  // AbsoluteFrom(cwd(), Relative(path)) is `path`. For manifests, whose paths are opened.
  std::string Relative(absl::string_view path) const;
  bool AtOrAboveCwd(absl::string_view path) const;

  // For keys: Relative(), with a rewritten path marked, so that it never equals a relative path
  // the user wrote (`-Iinc` and `-I$PWD/inc` name the same headers, but spell them differently
  // in diagnostics, debug info and __FILE__).
  std::string KeyForm(absl::string_view path) const;

  // An argument in its key form. Preprocessing arguments: an absolute path, the value of -I,
  // -isystem, -include and the like, and OLD in -f{debug,file,macro}-prefix-map=OLD=NEW.
  // Other arguments may end up in the object (DW_AT_producer), so only OLD is rewritten there:
  // gcc and clang record no prefix map.
  std::string KeyArgument(absl::string_view arg, bool preprocessing) const;

  // The file or directory a preprocessing argument names: the argument itself when absolute, or
  // the joined value of -I, -isystem, -include and the like; empty if none.
  absl::string_view FileIn(absl::string_view arg) const;

  // Whether `path` is absolute and below a base directory.
  bool BelowBase(absl::string_view path) const;

  // With the working directory mapped to a fixed name by a prefix map: whether debug info naming
  // `path` names it alike in every directory with the same key. True for a path below the
  // working directory; for one that prefix maps map, each from a directory below a base
  // directory exactly where the path is (both keyed relative to the working directory, so the
  // rest after OLD is the same) and ending where one of its components does; and for one that
  // no map maps and that neither starts like the working directory (the compilers match prefixes
  // as strings) nor is below a base directory.
  bool SameInMappedDebugInfo(absl::string_view path) const;
  // Debug info names `path` exactly as it is spelled: absolute, below a base directory, mapped
  // by no prefix map, and not starting like the working directory (which a map of it would
  // match as a string). Another tree's is another path; a second build directory of the same
  // tree names the same one, so a key may hold it as written instead of the working directory.
  bool NamedAsWrittenInDebugInfo(absl::string_view path) const;

  // Whether a -fmacro-prefix-map's (or -ffile-prefix-map's) OLD is the start of `path` up to
  // the middle of one of its names: the compilers match as strings (`/src/a` maps
  // `/src/ab/x.h`), so __FILE__ of the same file may be mapped in one tree and not in another.
  bool MacroMapSplitsName(absl::string_view path) const;

  // Whether __builtin_FILE() of `path`, a path below a base directory, names it alike in every
  // directory with the same key and the same rest of the working directory after each map's OLD
  // (KeyMaker::MacroMappedCwd): each -fmacro-prefix-map (or -ffile-prefix-map) that maps it maps
  // it from a directory below a base directory (keyed relative), and one does.
  bool SameInMappedMacros(absl::string_view path) const;

  // Whether `text` holds a base directory anywhere: what may name one tree's absolute paths.
  bool NamesBaseDir(absl::string_view text) const;

  // The digest of a file's `content` as the result key holds it: where it names absolute paths
  // below a base directory (a CMake unity source includes each source by its absolute path),
  // each in its key form with the length it had, so that the same file of another tree, whose
  // columns are all the same, is keyed alike; `rewrote` says whether it did. Else HashFile's.
  Digest ContentKey(absl::string_view content, bool* rewrote) const;

 private:
  std::vector<std::string> base_dirs_;
  // The working directory's components, split once: a miss makes a thousand paths relative.
  static std::vector<std::string> PlainParts(absl::string_view path);

  std::string cwd_;
  std::vector<std::string> cwd_parts_;
  std::string compiler_cwd_;
  std::vector<std::string> args_;
};

// The absolute path that `relative`, a form PathRewriter::Relative gave, names from the plainly
// spelled directory `cwd`, spelled as the path it was made from.
std::string AbsoluteFrom(absl::string_view cwd, absl::string_view relative);

// The name gcc and clang give the working directory `cwd` (their getpwd): $PWD when it is an
// absolute name of the same directory, else `cwd`.
std::string CompilerWorkingDirectory(const std::string& cwd, const EnvLookup& env);

// The rest of `path` after OLD for each -fdebug-prefix-map or -ffile-prefix-map among `args`
// whose OLD is a prefix of it (gcc takes the last match, clang the longest: either is one of
// these); empty when none is. nullopt where an OLD does not end where a component of `path`
// does (gcc maps it as a string; clang would not). For the working directory, DW_AT_comp_dir is
// one map's NEW and its rest: with the rests in the key, the same in every directory.
// With `macro_maps`, the same for -fmacro-prefix-map and -ffile-prefix-map, which map
// __FILE__ and __builtin_FILE().
std::optional<std::vector<std::string>> MappedRests(const std::vector<std::string>& args,
                                                    absl::string_view path,
                                                    bool macro_maps = false);

// Key forms as a person reads them, for DDCC_DEBUG transcripts: "$CWD/../inc".
std::string Readable(absl::string_view key_text);

struct MarkedText {
  std::string text;
  bool changed = false;              // some file's line marker was rewritten
  bool same_in_mapped_debug = true;  // SameInMappedDebugInfo() holds for every marker's path
  // The markers' paths it does not hold for.
  std::set<std::string, std::less<>> unmapped_in_debug;
  bool macro_map_splits_name = false;  // MacroMapSplitsName() holds for a marker's path
  // The text asks the compiler where it is (__builtin_FILE, std::source_location), and a
  // rewritten marker's path is one no macro prefix map makes the same in every directory.
  bool names_position = false;
  // The text asks where it is, and a macro prefix map makes a rewritten marker's path the same
  // in every directory whose rest of the working directory after the map's OLD is the same.
  bool position_mapped = false;
  // A raw string holds a line that looks like a marker, rewritten or not.
  bool raw_string_marker = false;
};

// The preprocessed text with the file names of its line markers (`# 12 "/abs/x.h" 1`) in key
// form: the compiler writes them into diagnostics and debug info only, which the rest of the
// key covers. Where a line that looks like a marker may be the inside of a raw string
// (raw_string_marker), or the compiler itself names a position in the object (names_position),
// the key must hold the working directory where a marker was rewritten.
MarkedText RewriteLineMarkers(const PathRewriter& paths, absl::string_view text);

}  // namespace ddcc
