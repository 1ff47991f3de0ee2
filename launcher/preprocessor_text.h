// A C or C++ file's text as the preprocessor reads it, for the scans that look for what a
// direct-mode lookup must know: line endings made plain, splices joined, comments removed.
#pragma once

#include <string>

#include "absl/strings/string_view.h"

namespace ddcc {

// A character of an identifier or a preprocessing number (`$` too, as gcc and clang take it).
bool IsIdentifierChar(char c);

// Phase 2: every backslash-newline removed. gcc and clang also take spaces between the two.
std::string JoinSplices(absl::string_view in);

// Whether `content` is plain already: no byte order mark, CR, NUL, VT or FF for PlainText to
// change.
bool IsPlain(absl::string_view content);

// `content` as the preprocessor's third translation phase leaves it: line splices joined and
// each comment replaced by a space; string and character literals kept as they are. Sets
// `ambiguous` when the text has forms this reading may get wrong (trigraphs, raw strings,
// unterminated literals), for the caller to also scan the raw text.
std::string StripCommentsAndSplices(absl::string_view content, bool& ambiguous);

// `content` as the scans read it: each line ended by LF (gcc and clang end one at CR LF and a
// lone CR too), NUL, VT and FF as spaces (blanks to both), without the byte order mark they
// skip at a file's start.
std::string PlainText(absl::string_view content);

}  // namespace ddcc
