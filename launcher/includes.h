// The direct-mode include set, from what the preprocessor says it read and where it looked
// (preprocessor_output.h): the headers' contents, and every path the compiler looked at before
// the header it used (a file created there later would shadow it) or that a __has_include asked
// about.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "cache/store/manifest.h"
#include "launcher/content_scan.h"
#include "launcher/expanded_time.h"
#include "launcher/paths.h"
#include "launcher/preprocessor_output.h"

namespace ddcc {

// Whether a search path found earlier is still the compiler's: its directories exist and the
// missing ones are still missing.
bool SearchPathHolds(const SearchPath& search);

// Paths the compiler may have tried before finding `header`: every reading of the path as a
// search directory plus a name (and the includer's directory, where the search began there).
// An error when a relative path fits no search directory.
absl::StatusOr<std::vector<std::string>> ShadowCandidates(const EnteredHeader& header,
                                                          const SearchPath& search);

// The places an #include looked at, in the compiler's order, up to the file it found.
std::vector<std::string> SearchedPlaces(const IncludeDirective& directive,
                                        const SearchPath& search);

// A `.gch` file that gcc may have read in place of a header that the `-E -dI` text shows it
// looked for (gcc tries `<place>.gch` before each place it searches), if there is one.
std::optional<std::string> FindPrecompiledHeader(const PreprocessedIncludes& includes,
                                                 const SearchPath& search);

// Paths a __has_include evaluated in a file in `dir` may look at. (The probe's text may sit in a
// macro that another file expands: callers ask for every includer's directory.)
std::vector<std::string> ProbeCandidates(const ContentScan::Probe& probe, const std::string& dir,
                                         const SearchPath& search);

// Which time macros may be in an include set, whose direct key holds neither the clock nor
// SOURCE_DATE_EPOCH's value (so that a build that changes the variable still hits where no
// file asks the time): none where the variable is set, as it fixes what they give, or where
// LD_PRELOAD is (libfaketime sets the compiler's clock apart from ddcc's); __DATE__
// where it is not, as the result is then served on its day only; all where the user said they
// do not matter (sloppiness).
enum class AllowedTimeMacros { kNone, kDateForItsDay, kAll };

// What the include set of a compile must also cover.
struct IncludeSetOptions {
  AllowedTimeMacros allowed = AllowedTimeMacros::kDateForItsDay;
  // gcc uses `<header>.gch` in place of any header it looks for: such a file must not exist.
  bool precompiled_headers = false;
  // clang keeps one entry per file (inode), whose directory, the one its quoted #includes
  // search first, is that of the first name it was looked up by: a file read under two names
  // may search where no line marker shows.
  bool one_entry_per_file = false;
  // gcc names a header of a system directory by its real path where that is shorter
  // (-fcanonical-system-headers): where links lead, and how long the tree's path is, decide.
  bool canonical_system_headers = false;
  // -include and -imacros files, as named.
  std::vector<std::string> forced_includes;
  // Files named by options, which the compile reads besides the source and its headers.
  std::vector<std::string> extra_inputs;
  // The preprocessing arguments, one a line: a -D may hold a __has_include or a time macro.
  std::string command_line;
  // Search directories as the arguments name them: one that is not a directory must stay so.
  std::vector<std::string> named_search_dirs;
};

// Records the include set of a compile whose `-E -dI` text (parsed, and less the directives; and
// what it holds of expanded time macros, FindExpandedTime) and search path are given. Two kinds
// of failure: Aborted when what the compiler read may not be what the text was made from (a file
// changed or created since the compile began, a precompiled header that `-E` does not read):
// then nothing of the compile may be stored; FailedPrecondition when the set cannot serve direct
// mode (a time macro not allowed, a computed __has_include, a line marker in a file, a header
// found in a way not understood), though the result may be stored. Paths below a base directory
// are recorded relative to the working directory, so that the same tree elsewhere checks its own
// files.
absl::StatusOr<IncludeSet> RecordIncludeSet(const std::string& source,
                                            const PreprocessedIncludes& includes,
                                            const ExpandedTime& expanded, const SearchPath& search,
                                            const IncludeSetOptions& options,
                                            const PathRewriter& paths, IncludeSetBuilder builder,
                                            const Digest& result);

// The include set of a compile whose dependency file lists `files` (the source among them), for
// depend mode. A dependency file does not say which file included which, so every listed file's
// directory counts as a possible includer's, and what the compiler may have tried there is
// guarded too. FailedPrecondition as for RecordIncludeSet, and when a file names .incbin: the
// assembler would read a file no dependency file lists (preprocessor mode sees the directive in
// the text). The set's result is left for the caller, who keys it by the set itself.
// `date_macro` is set where a file names __DATE__, which the options allow: the caller keeps the
// result to its day.
absl::StatusOr<IncludeSet> RecordDependIncludeSet(const std::string& source,
                                                  const std::vector<std::string>& files,
                                                  const SearchPath& search,
                                                  const IncludeSetOptions& options,
                                                  const PathRewriter& paths,
                                                  IncludeSetBuilder builder, bool* date_macro);

}  // namespace ddcc
