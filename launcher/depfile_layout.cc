#include "launcher/depfile_layout.h"

#include <unistd.h>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace ddcc {
namespace {

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
    std::string quoted = MakeQuote(path);
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
      absl::StrAppend(&out, family == Family::kClang ? "\n" : "", MakeQuote(rule.prerequisites[i]),
                      ":\n");
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

}  // namespace ddcc
