#include "launcher/depend_mode.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace ddcc {

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

absl::StatusOr<std::vector<std::string>> DepfilePrerequisites(absl::string_view depfile) {
  // The rule ends at the first newline not continuing a line; -MP's phony rules follow it.
  std::string rule;
  for (size_t pos = 0;; ++pos) {
    if (pos >= depfile.size()) return absl::FailedPreconditionError("no newline ends the rule");
    if (depfile[pos] == '\n') break;
    if (depfile.substr(pos, 2) == "\\\n") {
      rule += ' ';
      ++pos;
      continue;
    }
    rule += depfile[pos];
  }
  std::vector<std::string> words = absl::StrSplit(rule, absl::ByAnyChar(" \t"), absl::SkipEmpty());
  auto targets_end = std::find_if(words.begin(), words.end(),
                                  [](const std::string& word) { return word.ends_with(':'); });
  if (targets_end == words.end()) return absl::FailedPreconditionError("no ':' after the targets");
  std::vector<std::string> files(targets_end + 1, words.end());
  if (files.empty()) return absl::FailedPreconditionError("the rule names no file");
  for (const std::string& file : files) {
    if (file.find_first_of("\\$#") != std::string::npos) {
      return absl::FailedPreconditionError(absl::StrCat("a quoted path: ", file));
    }
  }
  return files;
}

}  // namespace ddcc
