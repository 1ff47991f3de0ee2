#include "launcher/compiler_probe.h"

#include <limits.h>
#include <stdlib.h>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "cache/util/files.h"
#include "cache/util/log.h"
#include "launcher/process.h"

namespace ddcc {
namespace {

constexpr char kRustc[] = "rustc\n";
constexpr char kOther[] = "other\n";
// rustc answers in a tenth of a second; a program that waits for something is not it.
constexpr int kProbeTimeoutMs = 10'000;

}  // namespace

bool AnswersAsRustc(const Compiler& compiler, const Config& config) {
  // Only a toolchain's own binary: a script that answers as rustc may add flags from its
  // environment, which no key would see.
  char real[PATH_MAX];
  if (realpath(compiler.path.c_str(), real) == nullptr ||
      !IsDirectory(absl::StrCat(DirectoryOf(DirectoryOf(real)), "/lib/rustlib"))) {
    return false;
  }
  absl::StatusOr<Digest> stamp = CompilerStamp(compiler);
  if (!stamp.ok()) return false;
  const std::string memo = absl::StrCat(stamp->Hex(), ".kind");
  if (std::optional<std::string> known = ReadCompilerMemo(config, memo)) {
    if (*known == kRustc || *known == kOther) return *known == kRustc;
  }
  absl::StatusOr<ProcessResult> asked = RunProbe({compiler.path, "-vV"}, kProbeTimeoutMs);
  if (!asked.ok()) {
    Log(absl::StrCat("asking ", compiler.path, " what it is: ", asked.status().ToString()));
    return false;  // not remembered: a busy machine may answer next time
  }
  const bool rustc = asked->exit_code == 0 && asked->term_signal == 0 &&
                     absl::StartsWith(asked->out, "rustc ") &&
                     absl::StrContains(asked->out, "\nhost: ");
  WriteCompilerMemo(config, memo, rustc ? kRustc : kOther);
  return rustc;
}

}  // namespace ddcc
