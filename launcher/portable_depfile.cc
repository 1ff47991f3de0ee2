// The portable form: a line "rule", or "rule phony" with -MP; then one prerequisite a line,
// unquoted. A path below a base directory is its form relative to the working directory after a
// NUL byte, which no path holds.
#include "launcher/portable_depfile.h"

#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "launcher/depfile_layout.h"

namespace ddcc {
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

}  // namespace ddcc
