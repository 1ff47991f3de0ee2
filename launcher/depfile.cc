#include "launcher/depfile.h"

#include <unistd.h>

#include <algorithm>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace ddcc {

namespace {

// Make-quoting, tabs too or not.
std::string Quote(absl::string_view target, bool tabs) {
  // Nearly every path needs nothing: a hit's dependency file quotes hundreds of them.
  if (target.find_first_of(" \t$#") == absl::string_view::npos) return std::string(target);
  std::string out;
  out.reserve(target.size() + 8);
  for (size_t i = 0; i < target.size(); ++i) {
    char c = target[i];
    switch (c) {
      case '\t':
        if (!tabs) break;
        [[fallthrough]];
      case ' ':
        // Backslashes before a space would otherwise escape the escape.
        for (size_t j = i; j > 0 && target[j - 1] == '\\'; --j) out += '\\';
        out += '\\';
        break;
      case '$':
        out += '$';
        break;
      case '#':
        out += '\\';
        break;
      default:
        break;
    }
    out += c;
  }
  return out;
}

// A file the rule names, as `family` writes it: clang's dependency file leaves a tab as it is
// (its driver quotes -MQ targets as gcc does).
std::string QuotePrerequisite(absl::string_view path, Family family) {
  return Quote(path, /*tabs=*/family == Family::kGcc);
}

// Writes words as one compiler does, keeping the column.
class Writer {
 public:
  explicit Writer(Family family) : family_(family) {}

  // gcc's mkdeps: a word goes on the current line unless the line would pass column 72; a
  // continued line starts with one space. clang's DependencyFileGenerator keeps lines within
  // 75 columns: continued target lines start with two spaces.
  void Target(absl::string_view target) {
    if (family_ == Family::kGcc) return GccWord(target, target.size());
    if (column_ == 0) {
      column_ = target.size();
    } else if (column_ + target.size() + 2 > 75) {
      column_ = target.size() + 2;
      out_ += " \\\n  ";
    } else {
      column_ += target.size() + 1;
      out_ += ' ';
    }
    absl::StrAppend(&out_, target);
  }

  void Colon() {
    out_ += ':';
    ++column_;
  }

  // gcc counts the quoted word; clang counts the path and leaves room for " \": a continued
  // line starts with one space before the separating one.
  void Prerequisite(absl::string_view path) {
    std::string quoted = QuotePrerequisite(path, family_);
    if (family_ == Family::kGcc) return GccWord(quoted, quoted.size());
    if (column_ + path.size() + 1 + 2 > 75) {
      out_ += " \\\n ";
      column_ = 2;
    }
    absl::StrAppend(&out_, " ", quoted);
    column_ += path.size() + 1;
  }

  std::string& out() { return out_; }

 private:
  void GccWord(absl::string_view word, size_t size) {
    if (column_ > 0) {
      if (column_ + size > 72) {
        out_ += " \\\n";
        column_ = 0;
      }
      ++column_;
      out_ += ' ';
    }
    column_ += size;
    absl::StrAppend(&out_, word);
  }

  Family family_;
  std::string out_;
  size_t column_ = 0;
};

void WriteTargets(Writer& writer, const std::vector<std::string>& targets) {
  for (const std::string& target : targets) writer.Target(target);
  writer.Colon();
}

bool IsControl(char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; }

// One prerequisite from `pos`, unquoted: both compilers write ' ' as "\ ", '#' as "\#" and '$'
// as "$$". A backslash otherwise (a path holding one) is refused: quoted, it could not be told
// from an escape. Sets `escaped_space` when the word holds "\ ".
absl::StatusOr<std::string> ReadWord(absl::string_view text, size_t& pos, bool& escaped_space) {
  std::string path;
  while (pos < text.size() && text[pos] != ' ' && text[pos] != '\n') {
    char c = text[pos];
    char next = pos + 1 < text.size() ? text[pos + 1] : '\0';
    if ((c == '\\' && next != ' ' && next != '#') || (c == '$' && next != '$') || c == '#' ||
        IsControl(c)) {
      return absl::FailedPreconditionError(absl::StrCat("a word quoted otherwise at ", pos));
    }
    if (c == '\\' || c == '$') {
      escaped_space = escaped_space || next == ' ';
      c = next;
      ++pos;
    }
    path += c;
    ++pos;
  }
  return path;
}

}  // namespace

std::string LayOutTargets(const std::vector<std::string>& targets, Family family) {
  Writer writer(family);
  WriteTargets(writer, targets);
  return std::move(writer.out());
}

std::string LayOut(const DepRule& rule, Family family) {
  Writer writer(family);
  WriteTargets(writer, rule.targets);
  for (const std::string& path : rule.prerequisites) writer.Prerequisite(path);
  std::string& out = writer.out();
  out += '\n';
  if (rule.phony) {
    // clang puts an empty line before each rule.
    for (size_t i = 1; i < rule.prerequisites.size(); ++i) {
      absl::StrAppend(&out, family == Family::kClang ? "\n" : "",
                      QuotePrerequisite(rule.prerequisites[i], family), ":\n");
    }
  }
  return std::move(out);
}

absl::StatusOr<DepRule> ParseDepfile(absl::string_view depfile,
                                     const std::vector<std::string>& targets, Family family) {
  DepRule rule;
  rule.targets = targets;
  const std::string start = LayOutTargets(targets, family);
  size_t pos = start.size();
  if (!absl::StartsWith(depfile, start)) {
    return absl::FailedPreconditionError("dependency file names other targets");
  }
  bool escaped_space = false;
  while (true) {
    while (pos < depfile.size() && (depfile[pos] == ' ' || depfile.substr(pos, 2) == "\\\n")) {
      pos += depfile[pos] == ' ' ? 1 : 2;
    }
    if (pos >= depfile.size()) return absl::FailedPreconditionError("no newline ends the rule");
    if (depfile[pos] == '\n') break;
    absl::StatusOr<std::string> path = ReadWord(depfile, pos, escaped_space);
    if (!path.ok()) return path.status();
    rule.prerequisites.push_back(*std::move(path));
  }
  rule.phony = pos + 1 < depfile.size();
  if (LayOut(rule, family) != depfile) {
    return absl::FailedPreconditionError("not laid out as the compiler lays out its words");
  }
  // "a\ b" is also what a path ending in a backslash, then "b", would give: the path read must
  // exist (the compile has just read it).
  for (const std::string& path : rule.prerequisites) {
    if (escaped_space && absl::StrContains(path, ' ') && access(path.c_str(), F_OK) != 0) {
      return absl::FailedPreconditionError(absl::StrCat("no such file: ", path));
    }
  }
  return rule;
}

std::vector<std::string> ListedPrerequisites(absl::string_view depfile,
                                             const std::vector<std::string>& targets,
                                             Family family) {
  std::vector<std::string> paths;
  const std::string start = LayOutTargets(targets, family);
  size_t pos = absl::StartsWith(depfile, start) ? start.size() - 1 : 0;
  auto ends_word = [&](size_t at) {
    return at >= depfile.size() || depfile[at] == ' ' || depfile[at] == '\t' ||
           depfile[at] == '\n' || depfile.substr(at, 2) == "\\\n";
  };
  while (pos < depfile.size() && !(depfile[pos] == ':' && ends_word(pos + 1))) {
    pos += depfile[pos] == '\\' ? 2 : 1;
  }
  ++pos;
  std::string word;
  for (; pos < depfile.size() && depfile[pos] != '\n'; ++pos) {
    char c = depfile[pos];
    char next = pos + 1 < depfile.size() ? depfile[pos + 1] : '\0';
    if (c == '\\' && next == '\n') {
      c = ' ';
      ++pos;
    } else if ((c == '\\' && (next == ' ' || next == '#')) || (c == '$' && next == '$')) {
      word += next;
      ++pos;
      continue;
    }
    if (c == ' ' || c == '\t') {
      if (!word.empty()) paths.push_back(std::move(word));
      word.clear();
    } else {
      word += c;
    }
  }
  if (!word.empty()) paths.push_back(std::move(word));
  return paths;
}

bool IsRewritableTarget(absl::string_view target) {
  if (target.empty()) return false;
  for (size_t i = 0; i < target.size(); ++i) {
    char c = target[i];
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return false;
    if (c == '\\' && (i + 1 == target.size() || (target[i + 1] != ' ' && target[i + 1] != '#'))) {
      return false;
    }
  }
  return true;
}

void HashDepTargets(Hasher& hasher, const std::vector<std::string>& targets) {
  bool rewritable = true;
  for (const std::string& target : targets) rewritable = rewritable && IsRewritableTarget(target);
  if (rewritable) {
    hasher.Field("targets laid out again on a hit");
    return;
  }
  hasher.Field("targets as written");
  hasher.Field(targets.size());
  for (const std::string& target : targets) hasher.Field(target);
}

std::string TargetLengths(const std::vector<std::string>& targets) {
  return absl::StrJoin(targets, " ", [](std::string* out, const std::string& target) {
    absl::StrAppend(out, target.size());
  });
}

absl::StatusOr<std::string> ReplaceDepTargets(absl::string_view depfile,
                                              absl::string_view stored_lengths,
                                              const std::vector<std::string>& targets,
                                              Family family) {
  if (TargetLengths(targets) != stored_lengths) {
    return absl::FailedPreconditionError("stored for targets of other lengths");
  }
  std::string start = LayOutTargets(targets, family);
  if (depfile.size() < start.size() || depfile[start.size() - 1] != ':') {
    return absl::DataLossError("dependency file does not start with its targets");
  }
  return absl::StrCat(start, depfile.substr(start.size()));
}

namespace {

constexpr char kRelativeMark = '\0';

}  // namespace

absl::StatusOr<std::string> MakePortableDepfile(absl::string_view depfile,
                                                const std::vector<std::string>& targets,
                                                Family family, const PathRewriter& paths) {
  absl::StatusOr<DepRule> rule = ParseDepfile(depfile, targets, family);
  if (!rule.ok()) return rule.status();
  std::string out = rule->phony ? "rule phony\n" : "rule\n";
  for (const std::string& path : rule->prerequisites) {
    if (!paths.BelowBase(path)) {
      absl::StrAppend(&out, path, "\n");
      continue;
    }
    std::string relative = paths.Relative(path);
    if (relative == path) {
      return absl::FailedPreconditionError(absl::StrCat("cannot be made relative: ", path));
    }
    absl::StrAppend(&out, absl::string_view(&kRelativeMark, 1), relative, "\n");
  }
  return out;
}

absl::StatusOr<std::string> RestoreDepfile(absl::string_view portable,
                                           const std::vector<std::string>& targets, Family family,
                                           absl::string_view cwd) {
  std::vector<absl::string_view> lines = absl::StrSplit(portable, '\n');
  if (lines.size() < 2 || !lines.back().empty()) {
    return absl::DataLossError("portable dependency file does not end in a newline");
  }
  lines.pop_back();
  DepRule rule;
  rule.targets = targets;
  rule.phony = lines[0] == "rule phony";
  if (!rule.phony && lines[0] != "rule") {
    return absl::DataLossError("portable dependency file has a bad header");
  }
  for (size_t i = 1; i < lines.size(); ++i) {
    absl::string_view word = lines[i];
    rule.prerequisites.push_back(absl::ConsumePrefix(&word, absl::string_view(&kRelativeMark, 1))
                                     ? AbsoluteFrom(cwd, word)
                                     : std::string(word));
  }
  return LayOut(rule, family);
}

std::optional<std::string> DependModeRefusal(const CompileRequest& request) {
  if (!request.generates_deps) return "the compile writes no dependency file";
  const std::vector<std::string>& options = request.dep_options;
  if (std::find(options.begin(), options.end(), "-MMD") != options.end()) {
    return "-MMD leaves system headers out of the dependency file";
  }
  if (request.language == "assembler-with-cpp") {
    return "the assembler reads files (.include) that no dependency file lists";
  }
  return std::nullopt;
}

std::string MakeQuote(absl::string_view target) { return Quote(target, /*tabs=*/true); }

}  // namespace ddcc
