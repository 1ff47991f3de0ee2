#include "launcher/preprocessed_input.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "launcher/content_scan.h"
#include "launcher/preprocessor_text.h"

namespace ddcc {
namespace {

// clang's `#pragma clang module import` reads a module too.
constexpr absl::string_view kFilePragmas[] = {"pch_preprocess", "dependency", "include_alias",
                                              "module"};
// The clock, the source's time and its name as given, which no line marker shows; _Pragma may
// carry any pragma.
constexpr absl::string_view kOutsideNames[] = {"__DATE__", "__TIME__",      "__TIMESTAMP__",
                                               "__FILE__", "__BASE_FILE__", "__FILE_NAME__",
                                               "_Pragma"};

bool IsNameChar(char c) { return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '_'; }

bool HoldsName(absl::string_view text, absl::string_view name) {
  for (size_t at = text.find(name); at != absl::string_view::npos; at = text.find(name, at + 1)) {
    const size_t end = at + name.size();
    if ((at == 0 || !IsNameChar(text[at - 1])) && (end == text.size() || !IsNameChar(text[end]))) {
      return true;
    }
  }
  return false;
}

// The text as the scans read it (PlainText), its trigraphs replaced where `trigraphs`: with
// -trigraphs or an ISO -std the compilers read them, else not, and either reading may show a
// directive the other hides (`// x??/` continues a comment onto the next line only with them).
std::string Plain(absl::string_view raw, bool trigraphs) {
  static constexpr absl::string_view kTrigraphs = "=#/\\'^([)]!|<{>}-~";  // ??= is #, ...
  std::string text = PlainText(raw);
  if (!trigraphs) return text;
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '?' && i + 2 < text.size() && text[i + 1] == '?') {
      const size_t at = kTrigraphs.find(text[i + 2]);
      if (at != absl::string_view::npos && at % 2 == 0) {
        out.push_back(kTrigraphs[at + 1]);
        i += 2;
        continue;
      }
    }
    out.push_back(c);
  }
  return out;
}

// Before a directive's '#': blanks, and what a compiler may take for them or skip (a byte order
// mark, U+00A0, control characters).
absl::string_view AfterBlanks(absl::string_view line) {
  size_t at = 0;
  while (at < line.size() && (static_cast<unsigned char>(line[at]) <= ' ' ||
                              static_cast<unsigned char>(line[at]) >= 0x80)) {
    ++at;
  }
  return line.substr(at);
}

std::optional<std::string> ScanLines(absl::string_view text) {
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    line = AfterBlanks(line);
    // "%:" is "#" to clang in C99 and C++ (a digraph).
    if (!absl::ConsumePrefix(&line, "#") && !absl::ConsumePrefix(&line, "%:")) continue;
    line = absl::StripLeadingAsciiWhitespace(line);
    if (line.empty() || absl::ascii_isdigit(static_cast<unsigned char>(line[0]))) continue;
    size_t name_end = 0;
    while (name_end < line.size() && IsNameChar(line[name_end])) ++name_end;
    const absl::string_view directive = line.substr(0, name_end);
    if (directive == "ident" || directive == "sccs") continue;
    if (directive != "pragma") return absl::StrCat("#", directive, " in a preprocessed source");
    for (absl::string_view pragma : kFilePragmas) {
      if (HoldsName(line, pragma)) return absl::StrCat("#pragma ", pragma);
    }
  }
  for (absl::string_view name : kOutsideNames) {
    if (HoldsName(text, name)) return absl::StrCat(name, " in a preprocessed source");
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::string> ScanPreprocessedInput(absl::string_view text) {
  // As the preprocessor reads it (splices joined, comments gone), and as it is where that
  // reading may be wrong; with trigraphs and without.
  for (bool trigraphs : {false, true}) {
    const std::string plain = Plain(text, trigraphs);
    bool ambiguous = false;
    const std::string read = StripCommentsAndSplices(plain, ambiguous);
    if (std::optional<std::string> found = ScanLines(read)) return found;
    if (ambiguous) {
      if (std::optional<std::string> found = ScanLines(plain)) return found;
    }
  }
  return std::nullopt;
}

}  // namespace ddcc
