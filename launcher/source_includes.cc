#include "launcher/source_includes.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace ddcc {

std::optional<std::vector<IncludeDirective>> IncludesOfText(absl::string_view text,
                                                            const std::string& includer) {
  std::vector<IncludeDirective> directives;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    line = absl::StripLeadingAsciiWhitespace(line);
    // `#`, or its digraph or trigraph (whether trigraphs count or not: a directive read where
    // there is none only looks at one more place).
    if (!absl::ConsumePrefix(&line, "#") && !absl::ConsumePrefix(&line, "%:") &&
        !absl::ConsumePrefix(&line, "?\?=")) {
      continue;
    }
    line = absl::StripLeadingAsciiWhitespace(line);
    size_t name_end = 0;
    while (name_end < line.size() &&
           (absl::ascii_isalnum(line[name_end]) || line[name_end] == '_')) {
      ++name_end;
    }
    const absl::string_view directive = line.substr(0, name_end);
    if (directive != "include" && directive != "include_next" && directive != "import") continue;
    line = absl::StripLeadingAsciiWhitespace(line.substr(name_end));
    const char close = line.empty() ? 0 : line[0] == '"' ? '"' : line[0] == '<' ? '>' : 0;
    const size_t end = close ? line.find(close, 1) : absl::string_view::npos;
    if (end == absl::string_view::npos) return std::nullopt;  // a macro's name, or no name
    directives.push_back({std::string(line.substr(1, end - 1)), close == '"',
                          directive == "include_next", includer});
  }
  return directives;
}

}  // namespace ddcc
