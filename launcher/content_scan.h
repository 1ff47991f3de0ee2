// What a source or header asks of the preprocessor that a direct-mode lookup must know about:
// time macros, __has_include probes, and line markers that would mislead the reading of `-E`
// output. The text is read as the preprocessor reads it (line splices joined, comments
// removed), so neither a comment nor a backslash-newline can hide a probe or a time macro.
#pragma once

#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace ddcc {

struct ContentScan {
  bool clock_macros = false;     // __DATE__, __TIME__: SOURCE_DATE_EPOCH can fix them
  bool timestamp_macro = false;  // __TIMESTAMP__: the source's mtime
  bool computed_probe = false;   // __has_include(MACRO), or __has_include under another name
  // A line marker directive (`# 12 "file" 1`): the `-E` output's markers then no longer tell
  // which file included which.
  bool line_marker = false;
  struct Probe {
    std::string name;
    bool quoted;
    bool operator==(const Probe&) const = default;
  };
  std::vector<Probe> probes;  // __has_include("x") and __has_include(<x>), _next too
};

ContentScan ScanContent(absl::string_view content);

// `content` as the preprocessor's third translation phase leaves it: line splices joined and
// each comment replaced by a space; string and character literals kept as they are. Sets
// `ambiguous` when the text has forms this reading may get wrong (trigraphs, raw strings,
// unterminated literals), for the caller to also scan the raw text.
std::string StripCommentsAndSplices(absl::string_view content, bool& ambiguous);

// Whether preprocessed text holds what __DATE__ or __TIME__ expand to (a time "hh:mm:ss" or a
// date "Mmm dd yyyy"), and __TIMESTAMP__ ("Ddd Mmm dd hh:mm:ss yyyy"): however the macro was
// reached (token pasting, a macro naming it), its expansion is in the text.
struct ExpandedTime {
  bool clock = false;
  bool timestamp = false;
};
ExpandedTime FindExpandedTime(absl::string_view preprocessed);

}  // namespace ddcc
