// gcc and clang write a dependency file as one rule: the targets, ':', the prerequisites, with
// a line broken (` \`) before a word that would pass a column; -MP adds an empty rule for every
// prerequisite but the source. Where the breaks fall depends only on the words' lengths, so a
// rule's words can be laid out again, with other targets or other paths, byte for byte as the
// compiler would write them.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "launcher/args.h"

namespace ddcc {

struct DepRule {
  std::vector<std::string> targets;        // as written (CompileRequest::dep_targets)
  std::vector<std::string> prerequisites;  // unquoted paths
  bool phony = false;                      // -MP
};

// The file `family` writes for `rule`. Prerequisites are Make-quoted as both compilers quote
// them; their unquoted paths hold no backslash nor control character (ParseDepfile's).
std::string LayOut(const DepRule& rule, Family family);

// The start of that file: the targets and the ':'.
std::string LayOutTargets(const std::vector<std::string>& targets, Family family);

// The rule of `depfile`, which names `targets` first. FailedPrecondition unless LayOut gives
// the file back byte for byte, or where a path's quoting is ambiguous.
absl::StatusOr<DepRule> ParseDepfile(absl::string_view depfile,
                                     const std::vector<std::string>& targets, Family family);

}  // namespace ddcc
