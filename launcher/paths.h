// Path independence (docs/paths.md). Keys and manifests name absolute paths below a base
// directory (DDCC_BASEDIR) relative to the working directory, so the same tree at another place
// gives the same keys and finds the same headers. Given the working directory, the relative form
// says exactly what the absolute one said, so where the result depends on the directory, the key
// holds the working directory as well and nothing is lost.
#pragma once

#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "launcher/config.h"

namespace ddcc {

class PathRewriter {
 public:
  // `base_dirs` as Config holds them; `cwd` absolute, as getcwd() gives it (relative paths are
  // opened from there, so they must be relative to it); `compiler_cwd` the name gcc and clang
  // give it in debug info: $PWD when that is the working directory, else `cwd`.
  PathRewriter(std::vector<std::string> base_dirs, std::string cwd, std::string compiler_cwd)
      : base_dirs_(std::move(base_dirs)),
        cwd_(std::move(cwd)),
        cwd_parts_(PlainParts(cwd_)),
        compiler_cwd_(std::move(compiler_cwd)) {}

  const std::string& cwd() const { return cwd_; }
  const std::string& compiler_cwd() const { return compiler_cwd_; }
  bool active() const { return !base_dirs_.empty(); }

  // `path` relative to the working directory when it is absolute and below a base directory
  // (trailing slashes are kept; "." and ".." components and doubled slashes after the part
  // shared with the working directory too, behind a "." component); otherwise `path` as it is.
  // AbsoluteFrom(cwd(), Relative(path)) is `path`. For manifests, whose paths are opened.
  std::string Relative(absl::string_view path) const;

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
  // working directory, and for one that neither starts like it (the compilers match prefixes as
  // strings) nor is below a base directory (those are keyed relative to the working directory).
  bool SameInMappedDebugInfo(absl::string_view path) const;

  // Whether `text` holds a base directory anywhere: what may name one tree's absolute paths.
  bool NamesBaseDir(absl::string_view text) const;

 private:
  std::vector<std::string> base_dirs_;
  // The working directory's components, split once: a miss makes a thousand paths relative.
  static std::vector<std::string> PlainParts(absl::string_view path);

  std::string cwd_;
  std::vector<std::string> cwd_parts_;
  std::string compiler_cwd_;
};

// The absolute path that `relative`, a form PathRewriter::Relative gave, names from the plainly
// spelled directory `cwd`, spelled as the path it was made from.
std::string AbsoluteFrom(absl::string_view cwd, absl::string_view relative);

// The name gcc and clang give the working directory `cwd` (their getpwd): $PWD when it is an
// absolute name of the same directory, else `cwd`.
std::string CompilerWorkingDirectory(const std::string& cwd, const EnvLookup& env);

// Whether a -fdebug-prefix-map or -ffile-prefix-map maps exactly the working directory, and no
// map matches only a part of it (gcc takes the last match, clang the longest: a shorter one
// would keep a piece of the directory's name). Then DW_AT_comp_dir is the map's fixed name.
bool PrefixMapsCwd(const std::vector<std::string>& args, const std::string& cwd);

// Key forms as a person reads them, for DDCC_DEBUG transcripts: "$CWD/../inc".
std::string Readable(absl::string_view key_text);

struct MarkedText {
  std::string text;
  bool changed = false;              // some line marker was rewritten
  bool same_in_mapped_debug = true;  // SameInMappedDebugInfo() holds for every marker's path
  bool names_position = false;       // the text asks the compiler where it is (__builtin_FILE)
};

// The preprocessed text with the file names of its line markers (`# 12 "/abs/x.h" 1`) in key
// form: the compiler writes them into diagnostics and debug info only, which the rest of the
// key covers. Where a line that looks like a marker may be the inside of a raw string, or the
// compiler itself names a position in the object (__builtin_FILE, std::source_location),
// names_position says so: the key must then hold the working directory.
MarkedText RewriteLineMarkers(const PathRewriter& paths, absl::string_view text);

}  // namespace ddcc
