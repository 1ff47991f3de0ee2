#include "launcher/rustc_outputs.h"

#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"

namespace ddcc {
namespace {

// Marks no text rustc writes holds (a text holding them is not made relocatable):
// kStart, a kind, its payload, kEnd.
constexpr char kStart = '\x01';
constexpr char kEnd = '\x02';
constexpr char kOutDir = 'O';    // the output directory, spelled as the text spells it
constexpr char kRelative = 'R';  // payload: a path relative to the working directory
constexpr char kDepInfo = 'D';   // in the dependency-info file: spaces written as "\ "

std::string Mark(char kind, absl::string_view payload = "") {
  return absl::StrCat(absl::string_view(&kStart, 1), absl::string_view(&kind, 1), payload,
                      absl::string_view(&kEnd, 1));
}

bool HasMarks(absl::string_view text) {
  return text.find(kStart) != absl::string_view::npos || text.find(kEnd) != absl::string_view::npos;
}

// Whether JSON writes `text` as is: no quote, backslash or control character.
bool PlainInJson(absl::string_view text) {
  for (char c : text) {
    if (c == '"' || c == '\\' || static_cast<unsigned char>(c) < 0x20) return false;
  }
  return true;
}

// One word of a dependency rule, spelled as in the file ("a\ b.rs", "x.rmeta:"), marked. Only
// a target (an output) is marked as in the output directory: a source there is keyed by its own
// path, relative to the working directory.
std::string MarkedWord(absl::string_view word, bool target, absl::string_view out_dir,
                       const PathRewriter& paths) {
  absl::string_view colon;
  if (absl::EndsWith(word, ":")) {
    colon = word.substr(word.size() - 1);
    word.remove_suffix(1);
  }
  const std::string spelled_out_dir = absl::StrCat(DepInfoSpelling(out_dir), "/");
  if (target && absl::StartsWith(word, spelled_out_dir)) {
    return absl::StrCat(Mark(kOutDir), "/", word.substr(spelled_out_dir.size()), colon);
  }
  const std::string path = absl::StrReplaceAll(word, {{"\\ ", " "}});
  if (paths.BelowBase(path)) return absl::StrCat(Mark(kRelative, paths.Relative(path)), colon);
  return absl::StrCat(word, colon);
}

}  // namespace

std::string DepInfoSpelling(absl::string_view path) {
  return absl::StrReplaceAll(path, {{" ", "\\ "}});
}

// rustc's dep-info file: "<target>: a.rs b.rs", an empty rule per file, then the environment
// variables read. Paths quote a space as "\ "; any other backslash is refused, as ambiguous.
absl::StatusOr<DepInfo> ParseDepInfo(absl::string_view text, absl::string_view target) {
  DepInfo info;
  bool rule_seen = false;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    if (absl::StartsWith(line, "# env-dep:")) {
      info.env_lines.emplace_back(line);
    } else if (!rule_seen && absl::StartsWith(line, absl::StrCat(target, ":"))) {
      rule_seen = true;
      line.remove_prefix(target.size() + 1);
      std::string path;
      for (size_t i = 0; i < line.size(); ++i) {
        if (line[i] == '\\') {
          if (i + 1 >= line.size() || line[i + 1] != ' ') {
            return absl::FailedPreconditionError("a backslash in a dep-info path");
          }
          path += ' ';
          ++i;
        } else if (line[i] == ' ') {
          if (!path.empty()) info.files.push_back(std::exchange(path, ""));
        } else {
          path += line[i];
        }
      }
      if (!path.empty()) info.files.push_back(std::move(path));
    }
  }
  if (!rule_seen) return absl::DataLossError("no rule in rustc's dep-info file");
  return info;
}

std::optional<std::string> RelocatableDepInfo(absl::string_view text, absl::string_view out_dir,
                                              const PathRewriter& paths) {
  if (HasMarks(text)) return std::nullopt;
  std::string marked = Mark(kDepInfo);
  bool first = true;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    if (!first) marked += '\n';
    first = false;
    if (absl::StartsWith(line, "#")) {  // "# env-dep:NAME=VALUE": the value as read
      absl::StrAppend(&marked, line);
      continue;
    }
    // Words are separated by spaces that no backslash quotes. A rule's target is its first word,
    // followed by the sources (an empty rule names a source).
    size_t word_start = 0;
    for (size_t i = 0; i <= line.size(); ++i) {
      if (i < line.size() && line[i] == '\\' && i + 1 < line.size() && line[i + 1] == ' ') {
        ++i;
        continue;
      }
      if (i < line.size() && line[i] != ' ') continue;
      const bool target = word_start == 0 && i < line.size();
      absl::StrAppend(&marked,
                      MarkedWord(line.substr(word_start, i - word_start), target, out_dir, paths));
      if (i < line.size()) marked += ' ';
      word_start = i + 1;
    }
  }
  std::optional<std::string> again = Relocated(marked, out_dir, paths.cwd());
  if (!again || *again != text) return std::nullopt;
  return marked;
}

std::optional<std::string> RelocatableMessages(absl::string_view text, absl::string_view out_dir) {
  if (HasMarks(text) || !PlainInJson(out_dir)) return std::nullopt;
  const std::string notice = absl::StrCat("{\"artifact\":\"", out_dir, "/");
  std::string marked;
  bool first = true;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    if (!first) marked += '\n';
    first = false;
    if (absl::StartsWith(line, notice)) {
      absl::StrAppend(&marked, "{\"artifact\":\"", Mark(kOutDir), "/", line.substr(notice.size()));
    } else {
      absl::StrAppend(&marked, line);
    }
  }
  return marked;
}

std::optional<std::string> Relocated(absl::string_view stored, absl::string_view out_dir,
                                     absl::string_view cwd) {
  const bool dep_info = absl::StartsWith(stored, Mark(kDepInfo));
  if (dep_info) stored.remove_prefix(Mark(kDepInfo).size());
  std::string text;
  for (size_t at = 0;;) {
    size_t start = stored.find(kStart, at);
    if (start == absl::string_view::npos || start + 1 >= stored.size()) {
      absl::StrAppend(&text, stored.substr(at));
      return text;
    }
    size_t end = stored.find(kEnd, start);
    if (end == absl::string_view::npos) return std::nullopt;
    absl::StrAppend(&text, stored.substr(at, start - at));
    const char kind = stored[start + 1];
    absl::string_view payload = stored.substr(start + 2, end - start - 2);
    std::string path;
    if (kind == kOutDir) {
      path = std::string(out_dir);
    } else if (kind == kRelative) {
      path = AbsoluteFrom(cwd, payload);
    } else {
      return std::nullopt;
    }
    if (dep_info) {
      absl::StrAppend(&text, DepInfoSpelling(path));
    } else if (PlainInJson(path)) {
      absl::StrAppend(&text, path);
    } else {
      return std::nullopt;
    }
    at = end + 1;
  }
}

}  // namespace ddcc
