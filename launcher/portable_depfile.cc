// The portable form: a line with the number of targets and, with -MP, " phony"; then one word a
// line, targets first. A path below a base directory (a target may be one) is its form relative
// to the working directory after a NUL byte, which no path holds.
#include "launcher/portable_depfile.h"

#include <vector>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "launcher/depfile.h"

namespace ddcc {
namespace {

constexpr char kRelativeMark = '\0';

struct DepRule {
  std::vector<std::string> targets;
  std::vector<std::string> prerequisites;
  bool phony = false;  // -MP: an empty rule for every prerequisite but the source
};

// The rule's words, from gcc's or clang's layout: words separated by blanks and
// backslash-newlines, the last target followed by ':', a newline at the end.
absl::StatusOr<DepRule> ParseRule(absl::string_view text) {
  DepRule rule;
  bool in_targets = true;
  size_t pos = 0;
  while (true) {
    while (pos < text.size() && (text[pos] == ' ' || text.substr(pos, 2) == "\\\n")) {
      pos += text[pos] == ' ' ? 1 : 2;
    }
    if (pos >= text.size()) return absl::FailedPreconditionError("no newline ends the rule");
    if (text[pos] == '\n') break;
    size_t end = text.find_first_of(" :\n\\", pos);
    if (end == absl::string_view::npos) end = text.size();
    std::string word(text.substr(pos, end - pos));
    if (!IsPlainTarget(word)) {
      return absl::FailedPreconditionError(absl::StrCat("not a plain word: ", word));
    }
    pos = end;
    if (in_targets) {
      rule.targets.push_back(std::move(word));
      if (pos < text.size() && text[pos] == ':') {
        in_targets = false;
        ++pos;
      }
    } else {
      rule.prerequisites.push_back(std::move(word));
    }
  }
  if (in_targets) return absl::FailedPreconditionError("no ':' after the targets");
  rule.phony = pos + 1 < text.size();
  return rule;
}

// gcc's mkdeps: a word goes on the current line unless the line would pass column 72; a
// continued line starts with one space.
std::string LayOutGcc(const DepRule& rule) {
  constexpr size_t kMaxColumn = 72;
  std::string out;
  size_t column = 0;
  auto write = [&](const std::string& word) {
    if (column > 0) {
      if (column + word.size() > kMaxColumn) {
        out += " \\\n";
        column = 0;
      }
      ++column;
      out += ' ';
    }
    column += word.size();
    out += word;
  };
  for (const std::string& target : rule.targets) write(target);
  out += ':';
  ++column;
  for (const std::string& prerequisite : rule.prerequisites) write(prerequisite);
  out += '\n';
  if (rule.phony) {
    for (size_t i = 1; i < rule.prerequisites.size(); ++i) {
      absl::StrAppend(&out, rule.prerequisites[i], ":\n");
    }
  }
  return out;
}

// clang's DependencyFileGenerator: lines up to column 75 with room left for " \"; continued
// target lines start with two spaces, continued prerequisite lines with one before the
// separating space.
std::string LayOutClang(const DepRule& rule) {
  constexpr size_t kMaxColumns = 75;
  std::string out;
  size_t columns = 0;
  for (const std::string& target : rule.targets) {
    if (columns == 0) {
      columns = target.size();
    } else if (columns + target.size() + 2 > kMaxColumns) {
      columns = target.size() + 2;
      out += " \\\n  ";
    } else {
      columns += target.size() + 1;
      out += ' ';
    }
    out += target;
  }
  out += ':';
  ++columns;
  for (const std::string& file : rule.prerequisites) {
    if (columns + file.size() + 1 + 2 > kMaxColumns) {
      out += " \\\n ";
      columns = 2;
    }
    absl::StrAppend(&out, " ", file);
    columns += file.size() + 1;
  }
  out += '\n';
  if (rule.phony) {
    for (size_t i = 1; i < rule.prerequisites.size(); ++i) {
      absl::StrAppend(&out, "\n", rule.prerequisites[i], ":\n");
    }
  }
  return out;
}

std::string LayOut(const DepRule& rule, Family family) {
  return family == Family::kClang ? LayOutClang(rule) : LayOutGcc(rule);
}

// `relative` (as PathRewriter::Relative gives it) taken from the plainly spelled directory `cwd`.
std::string Absolute(absl::string_view cwd, absl::string_view relative) {
  std::vector<absl::string_view> parts = absl::StrSplit(cwd, '/', absl::SkipEmpty());
  if (relative == ".") relative = "";
  while (absl::ConsumePrefix(&relative, "..")) {
    if (!parts.empty()) parts.pop_back();
    absl::ConsumePrefix(&relative, "/");
  }
  if (!relative.empty()) parts.push_back(relative);
  return absl::StrCat("/", absl::StrJoin(parts, "/"));
}

}  // namespace

absl::StatusOr<std::string> MakePortableDepfile(absl::string_view depfile, Family family,
                                                const PathRewriter& paths) {
  absl::StatusOr<DepRule> rule = ParseRule(depfile);
  if (!rule.ok()) return rule.status();
  if (LayOut(*rule, family) != depfile) {
    return absl::FailedPreconditionError("not laid out as the compiler lays out its words");
  }
  std::string out = absl::StrCat(rule->targets.size(), rule->phony ? " phony" : "", "\n");
  std::vector<std::string> words = std::move(rule->targets);
  words.insert(words.end(), rule->prerequisites.begin(), rule->prerequisites.end());
  for (const std::string& path : words) {
    if (!paths.BelowBase(path)) {
      absl::StrAppend(&out, path, "\n");
      continue;
    }
    std::string relative = paths.Relative(path);
    if (relative == path || Absolute(paths.cwd(), relative) != path) {
      return absl::FailedPreconditionError(absl::StrCat("cannot be made relative: ", path));
    }
    absl::StrAppend(&out, absl::string_view(&kRelativeMark, 1), relative, "\n");
  }
  return out;
}

absl::StatusOr<std::string> RestoreDepfile(absl::string_view portable, Family family,
                                           absl::string_view cwd) {
  std::vector<absl::string_view> lines = absl::StrSplit(portable, '\n');
  if (lines.size() < 2 || !lines.back().empty()) {
    return absl::DataLossError("portable dependency file does not end in a newline");
  }
  lines.pop_back();
  DepRule rule;
  absl::string_view header = lines[0];
  rule.phony = absl::ConsumeSuffix(&header, " phony");
  size_t targets;
  if (!absl::SimpleAtoi(header, &targets) || targets == 0 || targets >= lines.size()) {
    return absl::DataLossError("portable dependency file has a bad header");
  }
  for (size_t i = 1; i < lines.size(); ++i) {
    absl::string_view word = lines[i];
    std::string path = absl::ConsumePrefix(&word, absl::string_view(&kRelativeMark, 1))
                           ? Absolute(cwd, word)
                           : std::string(word);
    (i <= targets ? rule.targets : rule.prerequisites).push_back(std::move(path));
  }
  return LayOut(rule, family);
}

}  // namespace ddcc
