// What the preprocessor read and where it looked, as gcc and clang tell it: the line markers of
// `-E` output name every header entered and from which file, and `-E -v` prints the search path.
// From these, the direct-mode include set: the headers' contents, and every path the compiler
// looked at before the header it used (a file created there later would shadow it) or that a
// __has_include asked about.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "cache/manifest.h"
#include "launcher/paths.h"

namespace ddcc {

struct EnteredHeader {
  std::string path;          // as the compiler spelled it
  std::string includer_dir;  // directory of the including file; "" for the working directory
};

// Headers entered (line markers with flag 1), in order, with repeats.
std::vector<EnteredHeader> ParseLineMarkers(absl::string_view preprocessed);

struct SearchPath {
  std::vector<std::string> quote;    // #include "..." only, searched first
  std::vector<std::string> angle;    // both forms
  std::vector<std::string> missing;  // named but nonexistent: creating one changes the search
};

// From the stderr of `<compiler> -E -v ...`.
absl::StatusOr<SearchPath> ParseSearchPath(absl::string_view verbose_stderr);

// Whether a search path found earlier is still the compiler's: its directories exist and the
// missing ones are still missing.
bool SearchPathHolds(const SearchPath& search);

// Paths the compiler may have tried before finding `header`: every reading of the path as a
// search directory plus a name. An error when a relative path fits no search directory.
absl::StatusOr<std::vector<std::string>> ShadowCandidates(const EnteredHeader& header,
                                                          const SearchPath& search);

struct ContentScan {
  bool clock_macros = false;     // __DATE__, __TIME__: SOURCE_DATE_EPOCH can fix them
  bool timestamp_macro = false;  // __TIMESTAMP__: the source's mtime
  bool computed_probe = false;   // __has_include(MACRO): what it asks cannot be known
  struct Probe {
    std::string name;
    bool quoted;
  };
  std::vector<Probe> probes;  // __has_include("x") and __has_include(<x>), _next too
};

ContentScan ScanContent(absl::string_view content);

// Paths a __has_include in a file in `dir` may look at.
std::vector<std::string> ProbeCandidates(const ContentScan::Probe& probe, const std::string& dir,
                                         const SearchPath& search);

// Which time macros may be in an include set: their expansion must not depend on when or on
// which file's mtime the compile ran, or the user said it does not matter (sloppiness).
enum class AllowedTimeMacros { kNone, kClock, kAll };

// Records the include set of a compile whose preprocessed text and search path are given.
// FailedPrecondition when it cannot be recorded safely (a time macro not allowed, a computed
// __has_include, a header changed since the compile began, a header found in a way not
// understood). Paths below a base directory are recorded relative to the working directory, so
// that the same tree elsewhere checks its own files.
absl::StatusOr<IncludeSet> RecordIncludeSet(const std::string& source,
                                            absl::string_view preprocessed,
                                            const SearchPath& search, AllowedTimeMacros allowed,
                                            const PathRewriter& paths, IncludeSetBuilder builder,
                                            const Digest& result);

// The include set of a compile whose dependency file lists `files` (the source among them), for
// depend mode. A dependency file does not say which file included which, so every listed file's
// directory counts as a possible includer's, and what the compiler may have tried there is
// guarded too. FailedPrecondition as for RecordIncludeSet, and when a file names .incbin: the
// assembler would read a file no dependency file lists (preprocessor mode sees the directive in
// the text). The set's result is left for the caller, who keys it by the set itself.
absl::StatusOr<IncludeSet> RecordDependIncludeSet(
    const std::string& source, const std::vector<std::string>& files, const SearchPath& search,
    AllowedTimeMacros allowed, const PathRewriter& paths, IncludeSetBuilder builder);

}  // namespace ddcc
