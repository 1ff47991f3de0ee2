#include "launcher/depfile.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "launcher/depfile_layout.h"

namespace ddcc {

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

}  // namespace ddcc
