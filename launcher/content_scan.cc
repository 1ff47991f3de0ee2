#include "launcher/content_scan.h"

#include <algorithm>
#include <array>
#include <optional>
#include <string_view>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/strip.h"
#include "launcher/pragma_dependency.h"
#include "launcher/preprocessor_text.h"

namespace ddcc {
namespace {

// Whether `__has_include` at `at` stands where only its being defined is asked: `#ifdef`,
// `defined(...)`. Anything else without an argument list passes it on under another name.
bool AskedIfDefined(absl::string_view text, size_t at) {
  size_t line_start = text.rfind('\n', at == 0 ? 0 : at - 1);
  line_start = line_start == absl::string_view::npos ? 0 : line_start + 1;
  absl::string_view before =
      absl::StripTrailingAsciiWhitespace(text.substr(line_start, at - line_start));
  if (absl::ConsumeSuffix(&before, "(")) before = absl::StripTrailingAsciiWhitespace(before);
  if (absl::ConsumeSuffix(&before, "defined")) {
    return before.empty() || !IsIdentifierChar(before.back());  // not HAS_undefined
  }
  before = absl::StripLeadingAsciiWhitespace(before);
  if (!absl::ConsumePrefix(&before, "#")) return false;
  before = absl::StripLeadingAsciiWhitespace(before);
  return before == "ifdef" || before == "ifndef" || before == "elifdef" || before == "elifndef";
}

absl::string_view LineBefore(absl::string_view text, size_t at) {
  size_t line_start = text.rfind('\n', at == 0 ? 0 : at - 1);
  line_start = line_start == absl::string_view::npos || at == 0 ? 0 : line_start + 1;
  return text.substr(line_start, at - line_start);
}

absl::string_view ConsumeIdentifier(absl::string_view& s) {
  size_t end = 0;
  while (end < s.size() && IsIdentifierChar(s[end])) ++end;
  absl::string_view word = s.substr(0, end);
  s.remove_prefix(end);
  return word;
}

// The directive's name when `before` (a line up to some point) starts a directive, and what
// follows it in `rest`.
absl::string_view DirectiveName(absl::string_view before, absl::string_view& rest) {
  rest = absl::StripLeadingAsciiWhitespace(before);
  if (!absl::ConsumePrefix(&rest, "#")) return {};
  rest = absl::StripLeadingAsciiWhitespace(rest);
  return ConsumeIdentifier(rest);
}

// The macro whose definition passes its argument on to the callee at `at`: `#define NAME(P)`
// with `P` the callee's argument (`argument`) somewhere in the body, or `#define NAME CALLEE`
// with the body just the callee (`argument` empty: no argument list follows the callee).
std::optional<std::string> ForwardingMacro(absl::string_view text, size_t at,
                                           absl::string_view argument) {
  absl::string_view rest;
  if (DirectiveName(LineBefore(text, at), rest) != "define") return std::nullopt;
  rest = absl::StripLeadingAsciiWhitespace(rest);
  absl::string_view name = ConsumeIdentifier(rest);
  if (name.empty()) return std::nullopt;
  if (argument.empty()) {
    if (!absl::StripAsciiWhitespace(rest).empty()) return std::nullopt;  // more before the callee
    size_t end = at;
    while (end < text.size() && IsIdentifierChar(text[end])) ++end;
    size_t line_end = std::min(text.find('\n', end), text.size());
    if (!absl::StripAsciiWhitespace(text.substr(end, line_end - end)).empty()) return std::nullopt;
    return std::string(name);
  }
  if (!absl::ConsumePrefix(&rest, "(")) return std::nullopt;  // object-like: not its argument
  rest = absl::StripLeadingAsciiWhitespace(rest);
  absl::string_view parameter = ConsumeIdentifier(rest);
  rest = absl::StripLeadingAsciiWhitespace(rest);
  if (parameter != argument || !absl::StartsWith(rest, ")")) return std::nullopt;
  return std::string(name);
}

// The parameters of the function-like macro that the #define line holding `at` defines.
std::vector<absl::string_view> MacroParameters(absl::string_view text, size_t at) {
  absl::string_view rest;
  if (DirectiveName(LineBefore(text, at), rest) != "define") return {};
  rest = absl::StripLeadingAsciiWhitespace(rest);
  ConsumeIdentifier(rest);
  if (!absl::ConsumePrefix(&rest, "(")) return {};  // object-like
  std::vector<absl::string_view> parameters = {"__VA_ARGS__", "__VA_OPT__"};
  while (!rest.empty() && rest.front() != ')') {
    if (absl::string_view word = ConsumeIdentifier(rest); !word.empty()) {
      parameters.push_back(word);
    } else {
      rest.remove_prefix(1);
    }
  }
  return parameters;
}

// A header name `<name>` whose tokens macro expansion reaches (in a #define, or in a macro's
// argument): a word of it that is a parameter makes it computed; the others, which a macro of
// that name would change, are for the caller to check (ContentScan::probe_words).
void ReadExpandedHeaderName(absl::string_view text, size_t at, absl::string_view name,
                            ContentScan& scan) {
  const std::vector<absl::string_view> parameters = MacroParameters(text, at);
  for (size_t i = 0; i < name.size();) {
    if (!IsIdentifierChar(name[i])) {
      ++i;
      continue;
    }
    size_t end = i;
    while (end < name.size() && IsIdentifierChar(name[end])) ++end;
    absl::string_view word = name.substr(i, end - i);
    // A word from a digit on is (part of) a number, which no macro replaces.
    if (!absl::ascii_isdigit(word.front())) {
      if (std::find(parameters.begin(), parameters.end(), word) != parameters.end()) {
        scan.computed_probe = true;
      }
      scan.probe_words.emplace_back(word);
    }
    i = end;
  }
}

// After a callee's name (at `at`, `rest` after it): `(` and a header name, which the call
// probes; or a macro's definition passing its own argument on, which is a probe macro;
// otherwise a computed probe. A use that only asks whether the name is defined does nothing.
// `expanded`: macro expansion reaches the argument's tokens. `next`: the call may be a
// __has_include_next's.
void ReadProbeCall(absl::string_view text, size_t at, absl::string_view rest, bool expanded,
                   bool next, std::vector<std::string>& macros, ContentScan& scan) {
  rest = absl::StripLeadingAsciiWhitespace(rest);
  if (!absl::ConsumePrefix(&rest, "(")) {
    if (AskedIfDefined(text, at)) return;
    if (std::optional<std::string> macro = ForwardingMacro(text, at, "")) {
      macros.push_back(*std::move(macro));
    } else {
      scan.computed_probe = true;
    }
    return;
  }
  rest = absl::StripLeadingAsciiWhitespace(rest);
  char close = rest.empty() ? 0 : rest.front() == '<' ? '>' : rest.front() == '"' ? '"' : 0;
  size_t end = close ? rest.find_first_of(std::string{close, '\n'}, 1) : absl::string_view::npos;
  if (end == absl::string_view::npos || rest[end] != close) {
    absl::string_view argument = ConsumeIdentifier(rest);
    rest = absl::StripLeadingAsciiWhitespace(rest);
    std::optional<std::string> macro;
    if (!argument.empty() && absl::StartsWith(rest, ")")) {
      macro = ForwardingMacro(text, at, argument);
    }
    if (macro) {
      macros.push_back(*std::move(macro));
    } else {
      scan.computed_probe = true;
    }
    return;
  }
  std::string name(rest.substr(1, end - 1));
  rest = absl::StripLeadingAsciiWhitespace(rest.substr(end + 1));
  if (!absl::StartsWith(rest, ")")) {
    scan.computed_probe = true;
    return;
  }
  if (close == '>' && expanded) ReadExpandedHeaderName(text, at, name, scan);
  scan.probes.push_back({std::move(name), close == '"', next});
}

// A line whose first token is `#` (or its digraph or trigraph) followed by a number (a line
// marker), or by `line` (a #line directive).
void FindLineDirectives(absl::string_view text, ContentScan& scan) {
  for (size_t start = 0; start < text.size();) {
    size_t end = text.find('\n', start);
    if (end == absl::string_view::npos) end = text.size();
    absl::string_view line = absl::StripLeadingAsciiWhitespace(text.substr(start, end - start));
    if (absl::ConsumePrefix(&line, "#") || absl::ConsumePrefix(&line, "%:") ||
        absl::ConsumePrefix(&line, "?\?=")) {
      line = absl::StripLeadingAsciiWhitespace(line);
      scan.line_marker |= !line.empty() && absl::ascii_isdigit(line.front());
      scan.line_directive |= absl::StartsWith(line, "line");
    }
    start = end + 1;
  }
}

// Identifiers that token pasting could make into __has_include: a piece from its start from
// "__has_i" on, "__has_" with a word `include` that no directive holds (libstdc++ pastes
// `__has_##NAME`), a shorter start from "__h" on with a short end ("ude") or the word `include`
// where the text pastes (`##`), or a piece from its end holding "_". Pieces of which the first
// is "_" or "__", or the last "e" or "de", and only a middle one holds "_" pass unseen.
bool NamesPieceOfHasInclude(absl::string_view text) {
  const std::string_view view(text.data(), text.size());
  bool has_start = false;
  bool include_word = false;
  bool short_start = false;  // "__h", "__ha", "__has"
  bool short_end = false;    // "de" to "nclude"
  for (std::string_view piece : {"__h", "ude"}) {
    for (size_t at = view.find(piece); at != std::string_view::npos;
         at = view.find(piece, at + 1)) {
      size_t start = at;
      while (start > 0 && IsIdentifierChar(text[start - 1])) --start;
      size_t end = at;
      while (end < text.size() && IsIdentifierChar(text[end])) ++end;
      absl::string_view word = text.substr(start, end - start);
      if (word == "__has_include" || word == "__has_include_next") continue;
      if (piece == "__h") {
        if (!absl::StartsWith("__has_include_next", word)) continue;
        if (word.size() > 6) return true;
        short_start |= word.size() < 6;
        has_start |= word == "__has_";
        continue;
      }
      bool in_directive =
          absl::EndsWith(absl::StripTrailingAsciiWhitespace(text.substr(0, start)), "#");
      if (in_directive || !absl::EndsWith("__has_include", word)) continue;
      if (absl::StrContains(word, "_")) return true;
      include_word |= word == "include";
      short_end |= word.size() >= 2 && word.size() < 7;
    }
  }
  // `##`, or its digraph or trigraph spelling (each `#` either way).
  bool pastes = false;
  for (std::string_view paste : {"##", "%:%:", "?\?=?\?=", "#?\?=", "?\?=#"}) {
    pastes |= view.find(paste) != std::string_view::npos;
  }
  return (has_start && include_word) || (short_start && (short_end || include_word) && pastes);
}

// Any word "once": the pragma may be spelled through a macro (`PRAGMA(once)`), and a variable
// of that name costs at most a refused include set.
bool HasPragmaOnce(absl::string_view text) {
  const std::string_view view(text.data(), text.size());
  for (size_t at = view.find("once"); at != std::string_view::npos;
       at = view.find("once", at + 1)) {
    if ((at == 0 || !IsIdentifierChar(view[at - 1])) &&
        (at + 4 == view.size() || !IsIdentifierChar(view[at + 4]))) {
      return true;
    }
  }
  return false;
}

bool HasTrigraphSplice(absl::string_view text) {
  const std::string_view view(text.data(), text.size());
  for (size_t at = view.find("?\?/"); at != std::string_view::npos;
       at = view.find("?\?/", at + 1)) {
    // Blanks may stand between it and the line's end, as between a backslash and it.
    const size_t next = view.find_first_not_of(" \t", at + 3);
    if (next != std::string_view::npos && view[next] == '\n') return true;
  }
  return false;
}

bool HasImportDirective(absl::string_view text) {
  const std::string_view view(text.data(), text.size());
  for (size_t at = view.find("import"); at != std::string_view::npos;
       at = view.find("import", at + 1)) {
    absl::string_view before = absl::StripTrailingAsciiWhitespace(text.substr(0, at));
    // Or its digraph or trigraph.
    if (absl::EndsWith(before, "#") || absl::EndsWith(before, "%:") ||
        absl::EndsWith(before, "?\?=")) {
      return true;
    }
  }
  return false;
}

// Whether a comment's opening stands within a probe's `<...>`, where it is part of the header's
// name (`__has_include(<x/*y*/z.h>)` asks for a file in a directory `*y*`), which the text read
// without comments has lost. Read with splices joined.
bool CommentInAngledProbe(absl::string_view content) {
  if (!absl::StrContains(content, "__has_include")) return false;
  const std::string joined = JoinSplices(content);
  const absl::string_view text = joined;
  for (size_t at = text.find("__has_include"); at != absl::string_view::npos;
       at = text.find("__has_include", at + 1)) {
    // Up to the `>`: a `)` may stand within the <...> too.
    const absl::string_view line = text.substr(at, text.find('\n', at) - at);
    const size_t open = line.find('<');
    if (open == absl::string_view::npos) continue;
    const absl::string_view name = line.substr(open, line.find('>', open) - open);
    if (absl::StrContains(name, "/*") || absl::StrContains(name, "//")) return true;
  }
  return false;
}

// One pass over the places where "__" starts: headers are megabytes, and a miss scans them all.
void ScanText(absl::string_view content, ContentScan& scan) {
  const std::string_view text(content.data(), content.size());  // libstdc++'s find is faster
  for (size_t at = text.find("__"); at != std::string_view::npos; at = text.find("__", at + 1)) {
    absl::string_view rest = content.substr(at + 2);
    if (absl::StartsWith(rest, "DATE__")) {
      scan.date_macro = true;
    } else if (absl::StartsWith(rest, "TIME__")) {
      scan.time_macro = true;
    } else if (absl::StartsWith(rest, "TIMESTAMP__")) {
      scan.timestamp_macro = true;
    } else if (absl::ConsumePrefix(&rest, "has_include")) {
      // _next, and the older __has_include__: any identifier that starts so.
      const absl::string_view suffix = ConsumeIdentifier(rest);
      // In a #if, `<x>` is one token; in a #define's body, a line of tokens.
      absl::string_view directive_rest;
      const bool expanded = DirectiveName(LineBefore(content, at), directive_rest) == "define";
      ReadProbeCall(content, at, rest, expanded, !suffix.empty() && suffix != "__",
                    scan.probe_macros, scan);
    }
  }
  FindLineDirectives(content, scan);
  scan.trigraph_splice |= HasTrigraphSplice(content);
  scan.pragma_dependency |= NamesPragmaDependency(content);
  scan.pragma_once |= HasPragmaOnce(content);
  scan.import_directive |= HasImportDirective(content);
  scan.computed_probe |= NamesPieceOfHasInclude(content);
}

}  // namespace

ContentScan ScanContent(absl::string_view raw, ScannedText* kept) {
  std::string plain;
  if (!IsPlain(raw)) plain = PlainText(raw);
  const absl::string_view content = IsPlain(raw) ? raw : plain;
  ContentScan scan;
  bool ambiguous = false;
  std::string text = StripCommentsAndSplices(content, ambiguous);
  ScanText(text, scan);
  scan.computed_probe |= CommentInAngledProbe(content);
  // Where the reading may be wrong, what the raw text shows counts too.
  if (ambiguous) ScanText(content, scan);
  if (kept != nullptr) {
    kept->text = std::move(text);
    kept->raw = ambiguous ? std::string(content) : std::string();
  }
  return scan;
}

namespace {

bool IsWordAt(absl::string_view text, size_t at, size_t size) {
  return (at == 0 || !IsIdentifierChar(text[at - 1])) &&
         (at + size == text.size() || !IsIdentifierChar(text[at + size]));
}

// ScanProbeMacroCalls on one reading of the text. Literals are read like the rest: a name in
// one only makes the reading stricter.
void ScanMacroCallsIn(absl::string_view text, const absl::flat_hash_set<std::string>& macros,
                      const absl::flat_hash_set<std::string>& pieces,
                      std::vector<std::string>& found, ContentScan& scan) {
  const std::string_view view(text.data(), text.size());  // libstdc++'s find is faster
  for (const std::string& macro : macros) {
    for (size_t at = view.find(macro); at != std::string_view::npos;
         at = view.find(macro, at + 1)) {
      if (!IsWordAt(text, at, macro.size())) continue;
      absl::string_view rest;
      absl::string_view directive = DirectiveName(LineBefore(text, at), rest);
      if ((directive == "define" || directive == "undef") &&
          absl::StripAsciiWhitespace(rest).empty()) {
        continue;  // the name defined
      }
      // The macro may pass its argument on to __has_include_next.
      ReadProbeCall(text, at, text.substr(at + macro.size()), true, true, found, scan);
    }
  }
  if (pieces.empty()) return;
  // One walk over the identifiers; most are told apart from every piece by their ends.
  std::array<bool, 256> firsts{}, lasts{};
  for (const std::string& piece : pieces) {
    firsts[static_cast<unsigned char>(piece.front())] = true;
    lasts[static_cast<unsigned char>(piece.back())] = true;
  }
  for (size_t at = 0; at < text.size();) {
    if (!IsIdentifierChar(text[at])) {
      ++at;
      continue;
    }
    size_t end = at + 1;
    while (end < text.size() && IsIdentifierChar(text[end])) ++end;
    const absl::string_view word = text.substr(at, end - at);
    // A directive's own name ("include") is no piece.
    if (firsts[static_cast<unsigned char>(word.front())] &&
        lasts[static_cast<unsigned char>(word.back())] && pieces.contains(word) &&
        !macros.contains(word) && absl::StripAsciiWhitespace(LineBefore(text, at)) != "#") {
      scan.computed_probe = true;
      return;
    }
    at = end;
  }
}

}  // namespace

std::vector<std::string> ScanProbeMacroCalls(const ScannedText& text,
                                             const absl::flat_hash_set<std::string>& macros,
                                             ContentScan* scan) {
  // Pieces token pasting could make a macro's name from: its starts and ends of 3 characters
  // or more, or of half the name when it is shorter (of two pieces, the longer one is such).
  absl::flat_hash_set<std::string> pieces;
  for (const std::string& macro : macros) {
    for (size_t n = std::min<size_t>(3, (macro.size() + 1) / 2);
         n < macro.size() && scan != nullptr; ++n) {
      pieces.insert(macro.substr(0, n));
      pieces.insert(macro.substr(macro.size() - n));
    }
  }
  std::vector<std::string> found;
  ContentScan unused;
  ContentScan& into = scan != nullptr ? *scan : unused;
  ScanMacroCallsIn(text.text, macros, pieces, found, into);
  if (!text.raw.empty()) ScanMacroCallsIn(text.raw, macros, pieces, found, into);
  return found;
}

bool DefinesOneOf(absl::string_view text, const absl::flat_hash_set<std::string>& names) {
  const std::string_view view(text.data(), text.size());  // libstdc++'s find is faster
  for (size_t at = view.find("define"); at != std::string_view::npos;
       at = view.find("define", at + 1)) {
    absl::string_view before = absl::StripAsciiWhitespace(LineBefore(text, at));
    if (before != "#" && before != "%:" && before != "?\?=") continue;
    absl::string_view rest = absl::StripLeadingAsciiWhitespace(text.substr(at + 6));
    if (names.contains(ConsumeIdentifier(rest))) return true;
  }
  return false;
}

}  // namespace ddcc
