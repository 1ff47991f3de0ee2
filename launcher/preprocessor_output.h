// What the preprocessor says it read and where it looked, as gcc and clang tell it: the line
// markers and directives of `-E -dI` output name every header entered, from which file, and
// every search carried out; `-E -v` prints the search path.
#pragma once

#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace ddcc {

// The directory part of a path as the compiler spells it: "" for a bare name (the working
// directory), "/" for a name at the root.
std::string DirOf(absl::string_view path);

struct EnteredHeader {
  std::string path;          // as the compiler spelled it
  std::string includer_dir;  // directory of the including file; "" for the working directory
  // Whether the search began in the includer's directory: false after an #include <...> or an
  // #include_next that -dI shows.
  bool beside_includer = true;
};

// An #include, #include_next or #import the preprocessor carried out, as `-E -dI` shows it: a
// header included a second time (include guard, #pragma once) has no line marker, but the
// compiler searched for it all the same.
struct IncludeDirective {
  std::string name;
  bool quoted = false;   // "name", searched first beside the includer
  bool next = false;     // #include_next
  std::string includer;  // the file holding it, as the compiler spelled it; "" for none
};

struct PreprocessedIncludes {
  std::vector<EnteredHeader> headers;  // entered (line markers with flag 1), in order, repeated
  // The names of those entered as system headers (flag 3), which gcc may name by their real
  // paths (-fcanonical-system-headers).
  absl::flat_hash_set<std::string> system_headers;
  std::vector<IncludeDirective> directives;  // each search once
  // Files a #line names (a marker without a flag), and the source's name in the first markers
  // where it is another (a .i's), each once: gcc quotes a message's source line from there.
  std::vector<std::string> renamed;
};

// The files of `-E -dI` output for `source` (as the command line spells it). A #line directive
// renames the file in later markers but not the directory the compiler searches from. With
// `text`, also the output less the directive lines -dI added: they would put paths into the
// result key that the compile does not see (clang shows -include files as directives).
PreprocessedIncludes ParseIncludes(absl::string_view preprocessed, absl::string_view source,
                                   std::string* text = nullptr);

// Whether preprocessed `text` holds `name` outside its line markers: as a string literal's part
// (__FILE__'s expansion), which the result key holds as it is, not in the relative form it
// gives a marker's path.
bool TextNamesOutsideMarkers(absl::string_view text, absl::string_view name);

struct SearchPath {
  std::vector<std::string> quote;    // #include "..." only, searched first
  std::vector<std::string> angle;    // both forms
  std::vector<std::string> missing;  // named but nonexistent: creating one changes the search
  // clang's framework directories (-F, -iframework), where <A/b.h> is A.framework/Headers/b.h,
  // and header maps (an -I naming a file), which send a name to any path: an include set does
  // not record what such a search passed over.
  bool has_maps = false;
  // `-E -dM` output: the compiler's own macros and the command line's (`linux` is 1 in a GNU
  // mode), which a probe's `<...>` in a #define's body expands.
  std::string predefined;
};

// From the stderr of `<compiler> -E -v ...`.
absl::StatusOr<SearchPath> ParseSearchPath(absl::string_view verbose_stderr);

}  // namespace ddcc
