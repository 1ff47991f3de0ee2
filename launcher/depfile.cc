#include "launcher/depfile.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace ddcc {
namespace {

bool IsPlainChar(char c) {
  return absl::ascii_isalnum(static_cast<unsigned char>(c)) ||
         absl::string_view("._/+-,=@").find(c) != absl::string_view::npos;
}

// Skips what gcc and clang put between targets: blanks and backslash-newlines.
size_t SkipSeparators(absl::string_view text, size_t pos) {
  while (pos < text.size()) {
    if (text[pos] == ' ' || text[pos] == '\t') {
      ++pos;
    } else if (text.substr(pos, 2) == "\\\n") {
      pos += 2;
    } else {
      break;
    }
  }
  return pos;
}

}  // namespace

bool IsPlainTarget(absl::string_view target) {
  if (target.empty()) return false;
  for (char c : target) {
    if (!IsPlainChar(c)) return false;
  }
  return true;
}

void HashDepTargets(Hasher& hasher, const std::vector<std::string>& targets) {
  bool plain = true;
  for (const std::string& target : targets) plain = plain && IsPlainTarget(target);
  hasher.Field(plain ? "plain targets" : "targets");
  hasher.Field(targets.size());
  for (const std::string& target : targets) {
    if (plain) {
      hasher.Field(target.size());
    } else {
      hasher.Field(target);
    }
  }
}

absl::StatusOr<std::string> ReplaceDepTargets(absl::string_view depfile,
                                              const std::vector<std::string>& targets) {
  std::string result(depfile);
  size_t pos = 0;
  for (const std::string& target : targets) {
    pos = SkipSeparators(depfile, pos);
    size_t end = pos;
    while (end < depfile.size() && IsPlainChar(depfile[end])) ++end;
    if (!IsPlainTarget(target) || end - pos != target.size()) {
      return absl::FailedPreconditionError(
          absl::StrCat("dependency file does not start with a target like ", target));
    }
    result.replace(pos, target.size(), target);
    pos = end;
  }
  if (pos >= depfile.size() || depfile[pos] != ':') {
    return absl::FailedPreconditionError("dependency file has more targets than expected");
  }
  return result;
}

}  // namespace ddcc
