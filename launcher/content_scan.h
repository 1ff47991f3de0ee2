// What a source or header asks of the preprocessor that a direct-mode lookup must know about:
// time macros, __has_include probes, and line markers that would mislead the reading of `-E`
// output. The text is read as the preprocessor reads it (line splices joined, comments
// removed), so neither a comment nor a backslash-newline can hide a probe or a time macro.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/string_view.h"

namespace ddcc {

struct ContentScan {
  // SOURCE_DATE_EPOCH can fix these two; __DATE__ changes once a day, so a result using it may
  // be served on the day it was made.
  bool date_macro = false;       // __DATE__
  bool time_macro = false;       // __TIME__
  bool timestamp_macro = false;  // __TIMESTAMP__: the source's mtime
  // __has_include(MACRO), under another name, or a piece of its name for token pasting
  bool computed_probe = false;
  // A line marker directive (`# 12 "file" 1`): the `-E` output's markers then no longer tell
  // which file included which.
  bool line_marker = false;
  // A #line directive: gcc quotes a message's source line from the file it names, which only
  // the preprocessed text's markers show.
  bool line_directive = false;
  // A trigraph line splice (`??/` before a newline): with trigraphs on (-trigraphs, gcc's
  // -std=c11 and the other ISO modes) it joins lines, which the raw scans of ddcc do not do, so
  // a directive or name split by one would pass them unseen.
  bool trigraph_splice = false;
  // #pragma GCC dependency: the compiler warns by file times, which no key holds.
  bool pragma_dependency = false;
  // #pragma once: gcc takes two files of one content and one mtime for the same file.
  bool pragma_once = false;
  // #import: the same for the files it names, which may be any file read.
  bool import_directive = false;
  struct Probe {
    std::string name;
    bool quoted;
    // __has_include_next, or a macro's call that may be one: it searches on past the directory
    // of the file it stands in, which may be found first, so a file found stops no search.
    bool next = false;
    bool operator==(const Probe&) const = default;
  };
  std::vector<Probe> probes;  // __has_include("x") and __has_include(<x>), _next too
  // Macros that pass their one argument on to __has_include (`#define HAS(x) __has_include(x)`,
  // `#define HAS __has_include`), whose calls ScanProbeMacroCalls reads in every file.
  std::vector<std::string> probe_macros;
  // The words of a probe's `<...>` that macro expansion reaches (in a #define's body, or in a
  // probe macro's argument: `HAS(<linux/x.h>)` asks for `1/x.h` where `linux` is 1): a macro
  // of one of these names, of any file or of the compiler, makes the probe another one.
  std::vector<std::string> probe_words;
};

// A file's text as the scans read it (StripCommentsAndSplices), and the file as it is where that
// reading may be wrong (else empty): kept for ScanProbeMacroCalls.
struct ScannedText {
  std::string text;
  std::string raw;
};

// `kept`, when given, receives the text as read.
ContentScan ScanContent(absl::string_view content, ScannedText* kept = nullptr);

// Reads the calls of `macros` (probe macros of any file of the compile) in a file's `text`: one
// with a header name adds a probe to `scan`, any other use makes it a computed probe, as does a
// piece of a macro's name that token pasting could complete. Returns the macros the file defines
// to pass their argument on to one of `macros`, for the caller to read their calls too (all it
// does when `scan` is null).
std::vector<std::string> ScanProbeMacroCalls(const ScannedText& text,
                                             const absl::flat_hash_set<std::string>& macros,
                                             ContentScan* scan);

// Whether `text` has a #define of one of `names`: text as ScanContent reads it (either of
// ScannedText's), or `-E -dM` output, which holds no comment or splice.
bool DefinesOneOf(absl::string_view text, const absl::flat_hash_set<std::string>& names);

}  // namespace ddcc
