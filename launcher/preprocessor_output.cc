#include "launcher/preprocessor_output.h"

#include <algorithm>
#include <string_view>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace ddcc {
namespace {

// The quoted file name of a line marker, unescaped as gcc and clang escape it.
bool ParseQuoted(absl::string_view& rest, std::string& name) {
  if (!absl::ConsumePrefix(&rest, "\"")) return false;
  while (!rest.empty() && rest.front() != '"') {
    char c = rest.front();
    rest.remove_prefix(1);
    if (c == '\\' && !rest.empty()) {
      if (rest.size() >= 3 && absl::ascii_isdigit(rest[0]) && absl::ascii_isdigit(rest[1]) &&
          absl::ascii_isdigit(rest[2])) {
        c = static_cast<char>((rest[0] - '0') * 64 + (rest[1] - '0') * 8 + (rest[2] - '0'));
        rest.remove_prefix(3);
      } else {
        c = rest.front();
        rest.remove_prefix(1);
      }
    }
    name.push_back(c);
  }
  return absl::ConsumePrefix(&rest, "\"");
}

bool IsPseudoFile(absl::string_view name) {
  return absl::StartsWith(name, "<") || absl::EndsWith(name, "//");  // <built-in>, cwd marker
}

}  // namespace

std::string DirOf(absl::string_view path) {
  size_t slash = path.rfind('/');
  if (slash == absl::string_view::npos) return "";
  return std::string(path.substr(0, slash == 0 ? 1 : slash));
}

PreprocessedIncludes ParseIncludes(absl::string_view preprocessed, absl::string_view source,
                                   std::string* text_out) {
  PreprocessedIncludes found;
  size_t copied = 0;  // of `preprocessed` to `text_out`
  if (text_out != nullptr) text_out->reserve(preprocessed.size());
  absl::flat_hash_set<std::string> seen;  // searches
  absl::flat_hash_set<std::string> renamed;
  // The file the compiler is reading, as it spelled it ("" on the command line), and those it
  // will return to. Markers without a flag only rename the file (#line), except at the top,
  // where gcc first reads <built-in> and <command-line> before the source.
  std::string real;
  std::vector<std::string> includers;
  // The last #include -dI showed, until the header it entered: whether it searched beside its
  // includer.
  bool pending = false, pending_beside = true;
  bool source_begun = false;
  const std::string_view text(preprocessed.data(), preprocessed.size());
  for (size_t at = text.find('#'); at != std::string_view::npos; at = text.find('#', at + 1)) {
    size_t line_start = text.rfind('\n', at);
    line_start = line_start == std::string_view::npos ? 0 : line_start + 1;
    if (text.find_first_not_of(" \t", line_start) != at) continue;
    size_t line_end = std::min(text.find('\n', at), text.size());
    absl::string_view line = preprocessed.substr(at + 1, line_end - at - 1);
    if (absl::ConsumePrefix(&line, " ") && !line.empty() && absl::ascii_isdigit(line[0])) {
      absl::string_view number = line.substr(0, std::min(line.find(' '), line.size()));
      line.remove_prefix(number.size());
      line = absl::StripLeadingAsciiWhitespace(line);
      std::string name;
      if (!ParseQuoted(line, name)) continue;
      std::vector<absl::string_view> flags = absl::StrSplit(line, ' ', absl::SkipEmpty());
      if (!flags.empty() && flags[0] == "1") {
        if (!IsPseudoFile(name)) {
          found.headers.push_back({name, DirOf(real), !pending || pending_beside});
        }
        pending = false;
        if (std::find(flags.begin(), flags.end(), "3") != flags.end()) {
          found.system_headers.insert(name);
        }
        includers.push_back(std::move(real));
        real = IsPseudoFile(name) ? "" : name;
      } else if (!flags.empty() && flags[0] == "2") {
        pending = false;
        if (!includers.empty()) {
          real = std::move(includers.back());
          includers.pop_back();
        }
      } else if (includers.empty() && !source_begun) {
        source_begun = !IsPseudoFile(name) && number != "0";
        real = IsPseudoFile(name) ? "" : std::string(source);
        // A .i's markers name the file it was made from, whose lines gcc quotes.
        if (!IsPseudoFile(name) && name != source && renamed.insert(name).second) {
          found.renamed.push_back(name);
        }
      } else if (!IsPseudoFile(name) && name != real && name != source &&
                 renamed.insert(name).second) {
        found.renamed.push_back(name);
      }
      continue;
    }
    line = absl::StripLeadingAsciiWhitespace(line);
    IncludeDirective directive;
    if (absl::ConsumePrefix(&line, "include_next")) {
      directive.next = true;
    } else if (!absl::ConsumePrefix(&line, "include") && !absl::ConsumePrefix(&line, "import")) {
      continue;
    }
    line = absl::StripLeadingAsciiWhitespace(line);
    char close = line.empty() ? 0 : line[0] == '"' ? '"' : line[0] == '<' ? '>' : 0;
    size_t end = close ? line.find(close, 1) : absl::string_view::npos;
    if (end == absl::string_view::npos) continue;
    directive.name = std::string(line.substr(1, end - 1));
    directive.quoted = close == '"';
    directive.includer = real;
    pending = true;
    pending_beside = directive.quoted && !directive.next;
    // Where the same search from the same directory was seen, it adds nothing: C++ headers
    // repeat their #include lines by the thousand.
    std::string search_key =
        absl::StrCat(directive.next ? "next " : "", directive.quoted ? "\"" : "<", directive.name,
                     "\n", directive.next ? real : DirOf(real));
    if (seen.insert(std::move(search_key)).second) found.directives.push_back(std::move(directive));
    // -dI writes them at the start of a line; other text is the program's (a macro's expansion).
    if (text_out != nullptr && at == line_start) {
      text_out->append(text.substr(copied, at - copied));
      copied = std::min(line_end + 1, text.size());
    }
  }
  if (text_out != nullptr) text_out->append(text.substr(copied));
  return found;
}

absl::StatusOr<SearchPath> ParseSearchPath(absl::string_view verbose_stderr) {
  SearchPath search;
  std::vector<std::string>* list = nullptr;
  bool ended = false;
  for (absl::string_view line : absl::StrSplit(verbose_stderr, '\n')) {
    absl::string_view dir = line;
    if (absl::ConsumePrefix(&dir, "ignoring nonexistent directory \"") &&
        absl::ConsumeSuffix(&dir, "\"")) {
      search.missing.emplace_back(dir);
    } else if (absl::StartsWith(line, "#include \"...\" search starts here:")) {
      list = &search.quote;
    } else if (absl::StartsWith(line, "#include <...> search starts here:")) {
      list = &search.angle;
    } else if (absl::StartsWith(line, "End of search list.")) {
      ended = true;
      list = nullptr;
    } else if (list != nullptr && absl::ConsumePrefix(&dir, " ")) {
      if (absl::ConsumeSuffix(&dir, " (framework directory)") ||
          absl::ConsumeSuffix(&dir, " (headermap)")) {
        search.has_maps = true;
        continue;
      }
      list->emplace_back(dir);
    }
  }
  if (!ended) return absl::FailedPreconditionError("no search list in the compiler's -v output");
  return search;
}

bool TextNamesOutsideMarkers(absl::string_view text, absl::string_view name) {
  for (size_t at = text.find(name); at != absl::string_view::npos; at = text.find(name, at + 1)) {
    const size_t newline = text.rfind('\n', at);
    absl::string_view line = text.substr(newline == absl::string_view::npos ? 0 : newline + 1);
    if (absl::ConsumePrefix(&line, "# ") && !line.empty() && absl::ascii_isdigit(line[0])) {
      continue;
    }
    return true;
  }
  return false;
}

}  // namespace ddcc
