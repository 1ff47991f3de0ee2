#include "launcher/pragma_dependency.h"

#include <algorithm>
#include <string_view>

#include "absl/strings/ascii.h"

namespace ddcc {
namespace {

// `text` up to `end` less the space, spliced lines and comments it ends with.
std::string_view BeforeSpace(std::string_view text) {
  while (true) {
    size_t keep = text.find_last_not_of(" \t\r\n\\");
    text = text.substr(0, keep == std::string_view::npos ? 0 : keep + 1);
    if (!text.ends_with("*/")) return text;
    size_t open = text.rfind("/*", text.size() - 2);
    if (open == std::string_view::npos) return text;
    text = text.substr(0, open);
  }
}

// Whether `text` ends with a name that may be a macro standing for GCC (`G` of
// `XPRAGMA(G dependency DEP)`), not a type's keyword (`visit(struct dependency d)`).
bool AfterMacroName(std::string_view text) {
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  size_t start = text.size();
  while (start > 0 && (absl::ascii_isalnum(static_cast<unsigned char>(text[start - 1])) ||
                       text[start - 1] == '_')) {
    --start;
  }
  const std::string_view name = text.substr(start);
  if (name.empty() || absl::ascii_isdigit(static_cast<unsigned char>(name[0]))) return false;
  for (std::string_view keyword : {"struct", "union", "enum", "class", "const", "volatile",
                                   "typename", "unsigned", "signed", "static", "extern"}) {
    if (name == keyword) return false;
  }
  return true;
}

// Whether `at` lies within parentheses opened on its line or the one before (a macro's
// arguments may run over lines), or in a #define's body.
bool InArgumentsOrDefinition(std::string_view text, size_t at) {
  const size_t line = text.rfind('\n', at);
  const size_t line_start = line == std::string_view::npos ? 0 : line + 1;
  std::string_view directive = text.substr(line_start, at - line_start);
  directive.remove_prefix(std::min(directive.find_first_not_of(" \t"), directive.size()));
  if (directive.starts_with("#")) {
    directive.remove_prefix(1);
    directive.remove_prefix(std::min(directive.find_first_not_of(" \t"), directive.size()));
    if (directive.starts_with("define")) return true;
  }
  const size_t previous =
      line_start < 2 ? std::string_view::npos : text.rfind('\n', line_start - 2);
  const size_t window_start = previous == std::string_view::npos ? 0 : previous + 1;
  int depth = 0;
  for (size_t i = at; i > window_start; --i) {
    if (text[i - 1] == ')') ++depth;
    if (text[i - 1] == '(' && depth-- == 0) return true;
  }
  return false;
}

}  // namespace

bool NamesPragmaDependency(absl::string_view raw) {
  const std::string_view text(raw.data(), raw.size());
  for (size_t at = text.find("dependency"); at != std::string_view::npos;
       at = text.find("dependency", at + 1)) {
    std::string_view before = BeforeSpace(text.substr(0, at));
    if (before.ends_with("GCC") || before.ends_with("clang")) return true;
    // GCC spelled through a macro (`XPRAGMA(G dependency "file")`): the file's name follows,
    // outside a string literal ("version dependency " is none); or a macro naming it, where a
    // macro may pass it on: in arguments, over lines too (`XPRAGMA(G dependency DEP)`), or in a
    // #define's body (`#define ARGS G dependency DEP`).
    const size_t next = text.find_first_not_of(" \t\r\n\\", at + 10);
    if (next == std::string_view::npos) continue;
    const bool named = text[next] == '"' || text[next] == '<';
    const bool word_start =
        at == 0 ||
        !(absl::ascii_isalnum(static_cast<unsigned char>(text[at - 1])) || text[at - 1] == '_');
    const bool passed_on =
        word_start && next > at + 10 &&
        (absl::ascii_isalpha(static_cast<unsigned char>(text[next])) || text[next] == '_') &&
        AfterMacroName(before) && InArgumentsOrDefinition(text, at);
    if (!named && !passed_on) continue;
    const size_t line = text.rfind('\n', at);
    const size_t line_start = line == std::string_view::npos ? 0 : line + 1;
    const std::string_view before_on_line = text.substr(line_start, at - line_start);
    size_t quotes = 0;
    for (size_t i = 0; i < before_on_line.size(); ++i) {
      if (before_on_line[i] == '\\')
        ++i;
      else if (before_on_line[i] == '"')
        ++quotes;
    }
    if (quotes % 2 == 0) return true;
  }
  return false;
}

}  // namespace ddcc
