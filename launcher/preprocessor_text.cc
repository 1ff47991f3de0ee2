#include "launcher/preprocessor_text.h"

#include <array>
#include <cstring>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

namespace ddcc {
namespace {

constexpr std::array<bool, 256> kIdentifierChars = [] {
  std::array<bool, 256> table{};
  for (int c = 0; c < 256; ++c) {
    table[c] = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '_' || c == '$';
  }
  return table;
}();

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\v' || c == '\f' || c == '\r'; }

// The end of the raw string literal whose opening quote is at `quote`, or npos when what
// follows is no raw string's opening.
size_t RawStringEnd(absl::string_view s, size_t quote) {
  size_t open = s.find('(', quote + 1);
  if (open == absl::string_view::npos || open - quote - 1 > 16) return absl::string_view::npos;
  absl::string_view delimiter = s.substr(quote + 1, open - quote - 1);
  if (delimiter.find_first_of(" \t\n\\)\"") != absl::string_view::npos) {
    return absl::string_view::npos;
  }
  std::string close = absl::StrCat(")", delimiter, "\"");
  size_t end = s.find(close, open + 1);
  return end == absl::string_view::npos ? s.size() : end + close.size();
}

// The end of the identifier or preprocessing number starting at `i`: read whole, so that the
// quote in 1'000 or u8'x' is not taken for a character literal's opening.
size_t WordEnd(absl::string_view s, size_t i) {
  const bool number = absl::ascii_isdigit(s[i]);
  while (i < s.size()) {
    char c = s[i];
    if (IsIdentifierChar(c) || (number && c == '.')) {
      ++i;
    } else if (number && c == '\'' && i + 1 < s.size() && IsIdentifierChar(s[i + 1])) {
      i += 2;
    } else if (number && (c == '+' || c == '-') && std::strchr("eEpP", s[i - 1]) != nullptr) {
      ++i;
    } else {
      break;
    }
  }
  return i;
}

// The end of the string or character literal opening at `i`: past its closing quote, or, when
// unterminated, at the end of the line.
size_t LiteralEnd(absl::string_view s, size_t i) {
  const char quote = s[i];
  size_t j = i + 1;
  while (j < s.size() && s[j] != quote && s[j] != '\n') {
    j += s[j] == '\\' && j + 1 < s.size() ? 2 : 1;
  }
  return j < s.size() && s[j] == quote ? j + 1 : j;
}

// The identifier or preprocessing number (as WordEnd reads them) that ends at `at` or runs past
// it, as [start, end); [at, at) for none. Read forward from the last place no word can span.
std::pair<size_t, size_t> WordAround(absl::string_view s, size_t at) {
  size_t k = at;
  while (k > 0 && (IsIdentifierChar(s[k - 1]) || s[k - 1] == '.' || s[k - 1] == '\'' ||
                   s[k - 1] == '+' || s[k - 1] == '-')) {
    --k;
  }
  for (size_t i = k; i < at;) {
    if (!IsIdentifierChar(s[i])) {
      ++i;
      continue;
    }
    size_t end = WordEnd(s, i);
    if (end >= at) return {i, end};
    i = end;
  }
  return {at, at};
}

bool IsRawPrefix(absl::string_view word) {
  return word == "R" || word == "LR" || word == "uR" || word == "UR" || word == "u8R";
}

// Whether `s` holds "??": memchr for each '?', which headers rarely hold, beats a substring search.
bool HoldsTwoQuestionMarks(absl::string_view s) {
  const char* end = s.data() + s.size();
  for (const char* p = s.data(); p < end; ++p) {
    p = static_cast<const char*>(std::memchr(p, '?', end - p));
    if (p == nullptr || p + 1 == end) return false;
    if (p[1] == '?') return true;
  }
  return false;
}

// The characters that may open a comment or a literal.
constexpr std::array<bool, 256> kOpeners = [] {
  std::array<bool, 256> table{};
  for (unsigned char c : {'/', '"', '\''}) table[c] = true;
  return table;
}();

constexpr absl::string_view kByteOrderMark = "\xef\xbb\xbf";
// A lone CR, and what both compilers take for blanks: NUL, VT, FF.
constexpr absl::string_view kUnplain("\r\0\v\f", 4);

}  // namespace

bool IsIdentifierChar(char c) { return kIdentifierChars[static_cast<unsigned char>(c)]; }

std::string JoinSplices(absl::string_view in) {
  std::string out;
  out.reserve(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] == '\\') {
      size_t j = i + 1;
      while (j < in.size() && IsSpace(in[j])) ++j;
      if (j < in.size() && in[j] == '\n') {
        i = j;
        continue;
      }
    }
    out.push_back(in[i]);
  }
  return out;
}

bool IsPlain(absl::string_view content) {
  return !absl::StartsWith(content, kByteOrderMark) &&
         content.find_first_of(kUnplain) == absl::string_view::npos;
}

std::string PlainText(absl::string_view content) {
  absl::ConsumePrefix(&content, kByteOrderMark);
  std::string out;
  out.reserve(content.size());
  for (size_t i = 0; i < content.size(); ++i) {
    const char c = content[i];
    if (c == '\r') {
      if (i + 1 < content.size() && content[i + 1] == '\n') ++i;
      out.push_back('\n');
    } else {
      out.push_back(c == '\0' || c == '\v' || c == '\f' ? ' ' : c);
    }
  }
  return out;
}

std::string StripCommentsAndSplices(absl::string_view raw, bool& ambiguous) {
  std::string plain;
  if (!IsPlain(raw)) plain = PlainText(raw);
  const absl::string_view content = IsPlain(raw) ? raw : plain;
  // Trigraphs (??/ splices a line, ??= is #) count only under some -std options.
  ambiguous = HoldsTwoQuestionMarks(content);
  std::string joined;
  if (content.find('\\') != absl::string_view::npos) joined = JoinSplices(content);
  const absl::string_view s = joined.empty() ? content : joined;
  std::string out;
  out.reserve(s.size());
  const size_t n = s.size();
  size_t c_literal_end = 0;  // where C's reading of a digit separator's quote ends
  for (size_t i = 0; i < n;) {
    // Runs of what is neither a comment's nor a literal's opening are copied as they are.
    size_t next = i;
    while (next < n && !kOpeners[static_cast<unsigned char>(s[next])]) ++next;
    out.append(s.data() + i, next - i);
    i = next;
    if (i == n) break;
    const char c = s[i];
    if (c == '/') {
      if (i + 1 < n && (s[i + 1] == '*' || s[i + 1] == '/')) {
        size_t end = s[i + 1] == '*' ? s.find("*/", i + 2) : s.find('\n', i + 2);
        // An unterminated block comment fails the compile; a line comment ends with the text.
        if (end == absl::string_view::npos)
          end = n;
        else if (s[i + 1] == '*')
          end += 2;
        out.push_back(' ');
        i = end;
      } else {
        out.push_back(c);
        ++i;
      }
      continue;
    }
    const auto [word_start, word_end] = WordAround(s, i);
    if (word_end > i) {  // a digit separator: 1'000 in C++, where C reads a character literal
      // which may hold what would open a comment or a string (1'a/*'): both readings count. (In
      // 1'000'000 C's literal is '000', and its second quote closes it.)
      if (i >= c_literal_end) {
        const size_t close = s.find_first_of("'\n", i + 1);
        c_literal_end = close == absl::string_view::npos ? n : close + 1;
        const absl::string_view literal = s.substr(i + 1, c_literal_end - i - 1);
        if (absl::StrContains(literal, "/*") || absl::StrContains(literal, "//") ||
            absl::StrContains(literal, '"')) {
          ambiguous = true;
        }
      }
      out.push_back(c);
      ++i;
      continue;
    }
    if (c == '"' && word_end == i && IsRawPrefix(s.substr(word_start, i - word_start))) {
      ambiguous = true;  // splices were joined inside it, where they do not count
      if (size_t raw_end = RawStringEnd(s, i); raw_end != absl::string_view::npos) {
        out.append(s.data() + i, raw_end - i);
        i = raw_end;
        continue;
      }
    }
    size_t j = LiteralEnd(s, i);
    out.append(s.data() + i, j - i);
    i = j;
  }
  return out;
}

}  // namespace ddcc
