#include "launcher/asm_scan.h"

#include <strings.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <string_view>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"

namespace ddcc {
namespace {

// Directives that read a file, and those under which the assembler builds text, a directive's
// name among it, from pieces: gas macros, .irp and .irpc (`\(` and `\arg` join pieces only in
// their bodies), and MRI mode, where some targets take directives without their dot. gas and
// clang take directive names in any case, and no space after the dot.
// .irep and .irepc are gas's other names for .irp and .irpc.
constexpr std::string_view kNeedles[] = {".incbin", ".include", ".macro", ".irpc",
                                         ".irp",    ".irepc",   ".irep",  ".mri"};

bool IsIdent(char c) { return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '_'; }

// The first of `needles`, which all begin with `first`, in `text`, in any case. A needle that
// is a directive's name is a whole word: no name runs into it (`paths.include_dirs` is none).
template <size_t N>
std::optional<std::string> FindNeedle(std::string_view text, char first,
                                      const std::string_view (&needles)[N]) {
  for (size_t at = text.find(first); at != std::string_view::npos; at = text.find(first, at + 1)) {
    for (std::string_view needle : needles) {
      if (text.size() - at >= needle.size() &&
          strncasecmp(text.data() + at, needle.data(), needle.size()) == 0) {
        const size_t end = at + needle.size();
        if (needle.starts_with('.') &&
            ((at > 0 && IsIdent(text[at - 1])) || (end < text.size() && IsIdent(text[end])))) {
          continue;
        }
        return std::string(needle);
      }
    }
  }
  return std::nullopt;
}

// `text` without its /* */ comments, which gas drops before it reads a line: ".inc/**/bin" is
// .incbin to it.
std::string WithoutBlockComments(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  size_t from = 0;
  for (size_t open = text.find("/*"); open != std::string_view::npos;
       open = text.find("/*", from)) {
    out.append(text.substr(from, open - from));
    size_t close = text.find("*/", open + 2);
    from = close == std::string_view::npos ? text.size() : close + 2;
  }
  out.append(text.substr(from));
  return out;
}

// The first directive of kNeedles in assembler `text`, as gas reads it.
std::optional<std::string> FindDirective(std::string_view text) {
  if (std::optional<std::string> found = FindNeedle(text, '.', kNeedles)) return found;
  if (text.find("/*") == std::string_view::npos) return std::nullopt;
  return FindNeedle(WithoutBlockComments(text), '.', kNeedles);
}

bool IsNameEnd(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == ';' || c == ':' || c == ',' || c == '"';
}

// gcc and clang replace an asm statement's %-operands before the assembler reads the text, so
// an operand in the place of an instruction's or directive's name could make any name (".%c0"
// with a symbol named incbin). Labels ("1%=:") come before the name.
bool OperandInName(std::string_view text) {
  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && (text[i] == ' ' || text[i] == '\t')) ++i;
    size_t start = i;
    while (i < text.size() && !IsNameEnd(text[i])) ++i;
    if (i < text.size() && text[i] == ':') {
      ++i;
      continue;
    }
    if (text.substr(start, i - start).find('%') != std::string_view::npos) return true;
    while (i < text.size() && text[i] != '\n' && text[i] != ';') ++i;
    ++i;
  }
  return false;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  c = absl::ascii_tolower(static_cast<unsigned char>(c));
  return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

enum CharClass : uint8_t { kSpace, kOther, kSpecial };

constexpr std::array<uint8_t, 256> MakeClasses() {
  std::array<uint8_t, 256> classes{};
  for (uint8_t& c : classes) c = kOther;
  for (char c : std::string_view(" \t\n\r\f\v")) classes[static_cast<unsigned char>(c)] = kSpace;
  // Literals, comments, line markers, parentheses (for asm operands), and the letters that
  // begin the asm keywords.
  for (char c : std::string_view("\"'/#()a_")) classes[static_cast<unsigned char>(c)] = kSpecial;
  return classes;
}
constexpr std::array<uint8_t, 256> kClasses = MakeClasses();

// Lexes C or C++ text just enough to find its string literals: character literals, comments
// (kept with -C, and in raw sources), line markers, raw strings, digit separators.
class CScanner {
 public:
  explicit CScanner(std::string_view text) : text_(text) {}

  std::optional<std::string> Run() {
    size_t i = 0;
    while (i < text_.size()) {
      uint8_t cls = kClasses[static_cast<unsigned char>(text_[i])];
      if (cls != kSpecial) {
        if (cls == kOther) adjacent_ = false;
        ++i;
        continue;
      }
      switch (text_[i]) {
        case '"':
          String(i);
          break;
        case '\'':
          CharLiteral(i);
          break;
        case '/':
          Slash(i);
          break;
        case '#':
          Hash(i);
          break;
        case '(':
          ++depth_;
          if (asm_pending_ && asm_depth_ == 0) asm_depth_ = depth_;
          asm_pending_ = false;
          adjacent_ = false;
          ++i;
          break;
        case ')':
          if (depth_ == asm_depth_) asm_depth_ = 0;
          --depth_;
          adjacent_ = false;
          ++i;
          break;
        default:
          Word(i);
          break;
      }
    }
    EndGroup();
    if (asm_block_) return "an asm block";
    if (named_escape_) return "a named escape (\\N{...}) in a string literal";
    if (operand_in_name_) return "an asm operand in an instruction's or directive's name";
    return FindDirective(strings_);
  }

 private:
  // The identifier from i; asm keywords mark the parentheses that follow as an asm statement's
  // (clang's asm blocks, with -fasm-blocks, hold assembler outside any literal).
  void Word(size_t& i) {
    const bool starts = i == 0 || !IsIdent(text_[i - 1]);
    size_t start = i;
    while (i < text_.size() && IsIdent(text_[i])) ++i;
    adjacent_ = false;
    std::string_view word = text_.substr(start, i - start);
    if (!starts || (word != "asm" && word != "__asm" && word != "__asm__")) return;
    asm_pending_ = true;
    size_t next = text_.find_first_not_of(" \t\n", i);
    if (next != std::string_view::npos && text_[next] == '{') asm_block_ = true;
  }

  // The identifier right before i, which may be a literal's prefix.
  std::string_view PrefixBefore(size_t i) const {
    size_t start = i;
    while (start > 0 && IsIdent(text_[start - 1])) --start;
    return text_.substr(start, i - start);
  }

  void String(size_t& i) {
    std::string_view prefix = PrefixBefore(i);
    if (!adjacent_) {
      EndGroup();
      strings_ += '\n';
      group_start_ = strings_.size();
      group_in_asm_ = asm_depth_ != 0;
    }
    adjacent_ = true;
    if ((prefix == "R" || prefix == "LR" || prefix == "uR" || prefix == "UR" || prefix == "u8R") &&
        RawString(i)) {
      return;
    }
    ++i;
    while (i < text_.size() && text_[i] != '"' && text_[i] != '\n') {
      if (text_[i] == '\\' && i + 1 < text_.size()) {
        Escape(i);
      } else {
        Append(text_[i++]);
      }
    }
    if (i < text_.size() && text_[i] == '"') ++i;
  }

  // R"delim(...)delim": false if what follows the quote is no delimiter.
  bool RawString(size_t& i) {
    size_t open = i + 1;
    while (open < text_.size() && open - i <= 17 && text_[open] != '(') {
      if (std::string_view(" )\\\t\v\f\n").find(text_[open]) != std::string_view::npos) {
        return false;
      }
      ++open;
    }
    if (open >= text_.size() || text_[open] != '(') return false;
    std::string close = ")";
    close.append(text_.substr(i + 1, open - i - 1));
    close += '"';
    size_t end = text_.find(close, open + 1);
    if (end == std::string_view::npos) end = text_.size();
    for (size_t at = open + 1; at < end; ++at) Append(text_[at]);
    i = std::min(text_.size(), end + close.size());
    return true;
  }

  // At the backslash of an escape in a string literal.
  void Escape(size_t& i) {
    static constexpr std::string_view kLetters = "ntrabfveE";
    static constexpr std::string_view kControls = "\n\t\r\a\b\f\v\x1b\x1b";
    char e = text_[i + 1];
    i += 2;
    if (size_t k = kLetters.find(e); k != std::string_view::npos) return Append(kControls[k]);
    switch (e) {
      case '\n':
        return;  // a spliced line, in a raw source
      case 'x':
        return Number(i, 16, SIZE_MAX);
      case 'o':
        return Number(i, 8, SIZE_MAX);
      case 'u':
        return Number(i, 16, 4);
      case 'U':
        return Number(i, 16, 8);
      case 'N':
        named_escape_ = true;
        return;
      default:
        if (e >= '0' && e <= '7') {
          --i;
          return Number(i, 8, 3);
        }
        return Append(e);  // \\ \" \' \? and unknown ones
    }
  }

  // The digits of a numeric escape from i (or within braces: \x{...}, \o{...}, \u{...}).
  void Number(size_t& i, int base, size_t max_digits) {
    const bool braced = i < text_.size() && text_[i] == '{';
    if (braced) ++i;
    uint32_t value = 0;
    for (size_t digits = 0; i < text_.size() && (braced || digits < max_digits); ++digits, ++i) {
      int digit = HexValue(text_[i]);
      if (digit < 0 || digit >= base) break;
      value = value * base + digit;
    }
    if (braced && i < text_.size() && text_[i] == '}') ++i;
    if (max_digits == 4 || max_digits == 8 || value < 0x80) {
      AppendUtf8(value);
    } else {
      Append(static_cast<char>(value & 0xff));
    }
  }

  void AppendUtf8(uint32_t value) {
    if (value < 0x80) return Append(static_cast<char>(value));
    if (value < 0x800) {
      strings_ += static_cast<char>(0xc0 | (value >> 6));
    } else {
      if (value < 0x10000) {
        strings_ += static_cast<char>(0xe0 | (value >> 12));
      } else {
        strings_ += static_cast<char>(0xf0 | ((value >> 18) & 0x07));
        strings_ += static_cast<char>(0x80 | ((value >> 12) & 0x3f));
      }
      strings_ += static_cast<char>(0x80 | ((value >> 6) & 0x3f));
    }
    strings_ += static_cast<char>(0x80 | (value & 0x3f));
  }

  void Append(char c) { strings_ += c; }

  // A character literal, or a C++ digit separator (1'000) within a number.
  void CharLiteral(size_t& i) {
    std::string_view prefix = PrefixBefore(i);
    adjacent_ = false;
    ++i;
    if (!prefix.empty() && absl::ascii_isdigit(static_cast<unsigned char>(prefix[0]))) return;
    while (i < text_.size() && text_[i] != '\'' && text_[i] != '\n') {
      i += text_[i] == '\\' ? 2 : 1;
    }
    if (i < text_.size() && text_[i] == '\'') ++i;
  }

  // Comments separate nothing: literals on both sides still join.
  void Slash(size_t& i) {
    char next = i + 1 < text_.size() ? text_[i + 1] : 0;
    if (next == '*') {
      size_t end = text_.find("*/", i + 2);
      i = end == std::string_view::npos ? text_.size() : end + 2;
    } else if (next == '/') {
      size_t end = text_.find('\n', i + 2);
      i = end == std::string_view::npos ? text_.size() : end;
    } else {
      adjacent_ = false;
      ++i;
    }
  }

  // Line markers name files (which the compiler quotes when it names them to the assembler);
  // other directives (#pragma) are scanned as text.
  void Hash(size_t& i) {
    const bool line_start = i == 0 || text_[i - 1] == '\n';
    if (line_start && i + 2 < text_.size() && text_[i + 1] == ' ' &&
        absl::ascii_isdigit(static_cast<unsigned char>(text_[i + 2]))) {
      size_t end = text_.find('\n', i);
      i = end == std::string_view::npos ? text_.size() : end;
      return;
    }
    adjacent_ = false;
    ++i;
  }

  // Ends the run of adjacent literals that began at group_start_.
  void EndGroup() {
    if (group_in_asm_ && OperandInName(std::string_view(strings_).substr(group_start_))) {
      operand_in_name_ = true;
    }
    group_in_asm_ = false;
  }

  const std::string_view text_;
  // The literals' decoded contents: adjacent ones joined, others apart on lines of their own.
  std::string strings_;
  size_t group_start_ = 0;
  bool group_in_asm_ = false;
  bool adjacent_ = false;  // nothing but space and comments since the last literal
  int depth_ = 0;          // of parentheses
  int asm_depth_ = 0;      // of the asm statement's parentheses, 0 outside one
  bool asm_pending_ = false;
  bool asm_block_ = false;
  bool named_escape_ = false;
  bool operand_in_name_ = false;
};

}  // namespace

std::optional<std::string> ScanCText(absl::string_view text) {
  return CScanner(std::string_view(text.data(), text.size())).Run();
}

std::optional<std::string> ScanAssemblerText(absl::string_view text) {
  return FindDirective(std::string_view(text.data(), text.size()));
}

bool HoldsLineTableDirective(absl::string_view text) {
  if (absl::StrContains(text, "/*") &&
      HoldsLineTableDirective(WithoutBlockComments(std::string_view(text.data(), text.size())))) {
    return true;
  }
  for (size_t at = text.find('.'); at != absl::string_view::npos; at = text.find('.', at + 1)) {
    // Not a member (`opts.file = f`): a directive starts a line or follows a space, a quote or
    // an escape (`"\n.loc 1 3"` in inline assembly).
    const char before = at == 0 ? ' ' : text[at - 1];
    const bool escaped = at >= 2 && text[at - 2] == '\\';
    if (!escaped && (absl::ascii_isalnum(static_cast<unsigned char>(before)) || before == '_' ||
                     before == ')' || before == ']')) {
      continue;
    }
    // And an operand follows, which gas reads as an expression (1, (1), +1, a symbol) or a
    // file's name: anything but the `=` of a designated initializer (`.file = __FILE__`). A
    // `.file` whose operand is a quoted name (`.file "x.c"`, `\"x.c\"` in inline assembly)
    // only names the object's file symbol: without a number it starts no line table.
    for (absl::string_view name : {"file", "loc"}) {
      const size_t end = at + 1 + name.size();
      if (end >= text.size() || !absl::EqualsIgnoreCase(text.substr(at + 1, name.size()), name) ||
          (text[end] != ' ' && text[end] != '\t')) {
        continue;
      }
      const size_t operand = text.find_first_not_of(" \t", end);
      if (operand == absl::string_view::npos) return true;
      const absl::string_view rest = text.substr(operand);
      if (name == "file" && (absl::StartsWith(rest, "\"") || absl::StartsWith(rest, "\\\""))) {
        continue;
      }
      if (rest[0] != '=') return true;
    }
  }
  return false;
}

namespace {

// A literal that ends in the start of a directive that reads a file (".inc" of ".incbin", any
// case) where a directive may start (at the literal's start, after a blank, a `\n` or `\t`
// escape, a `;` or a label's `:`), and is followed by a name: a macro's literal after it may
// complete it (".inc" B, with B "bin"), which only the preprocessor joins. Not a header's name
// (`#include "x.inc"`), nor a literal ending so that no macro follows (`ext == ".in"`).
bool EndsInStartOfFileDirective(absl::string_view text) {
  for (size_t quote = text.find('"'); quote != absl::string_view::npos;
       quote = text.find('"', quote + 1)) {
    // Within the 7 bytes before the quote: a search further back would read a megabyte header
    // again for each of its quotes.
    const size_t window = quote < 7 ? 0 : quote - 7;
    const size_t found = text.substr(window, quote - window).rfind('.');
    if (found == absl::string_view::npos) continue;
    const size_t dot = window + found;
    if (dot == 0 || quote - dot < 2) continue;
    const std::string start = absl::AsciiStrToLower(text.substr(dot + 1, quote - dot - 1));
    if (!absl::StartsWith("incbin", start) && !absl::StartsWith("include", start)) continue;
    const char before = text[dot - 1];
    const bool escape = (before == 'n' || before == 't') && dot >= 2 && text[dot - 2] == '\\';
    if (!escape && absl::string_view("\" \t;:").find(before) == absl::string_view::npos) {
      continue;
    }
    const size_t next = text.find_first_not_of(" \t\r\n", quote + 1);
    if (next != absl::string_view::npos &&
        (absl::ascii_isalpha(static_cast<unsigned char>(text[next])) || text[next] == '_')) {
      return true;
    }
  }
  return false;
}

}  // namespace

std::optional<std::string> ScanRawCText(absl::string_view text) {
  static constexpr std::string_view kNames[] = {"incbin"};
  if (std::optional<std::string> found = ScanCText(text)) return found;
  if (EndsInStartOfFileDirective(text)) {
    return "a literal ends in the start of .incbin or .include, which a macro may complete";
  }
  return FindNeedle(std::string_view(text.data(), text.size()), 'i', kNames);
}

}  // namespace ddcc
