#include "launcher/compiler_probe.h"

#include <limits.h>
#include <stdlib.h>

#include <algorithm>
#include <iterator>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "cache/util/files.h"
#include "cache/util/log.h"
#include "launcher/process.h"

namespace ddcc {
namespace {

constexpr char kRustc[] = "rustc\n";
constexpr char kGcc[] = "gcc\n";
constexpr char kClang[] = "clang\n";
constexpr char kOther[] = "other\n";
// Compilers that predefine __GNUC__ but whose options or outputs are not gcc's or clang's.
constexpr const char* kForeignMacros[] = {
    "__INTEL_COMPILER", "__INTEL_LLVM_COMPILER", "__NVCOMPILER",    "__PGI",     "__NVCC__",
    "__CUDACC__",       "__EMSCRIPTEN__",        "__ARMCC_VERSION", "__ibmxl__", "__TINYC__"};

bool Defines(absl::string_view macros, absl::string_view name) {
  return absl::StrContains(macros, absl::StrCat("#define ", name, " "));
}
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

namespace {

// The memo of AnswersAsGccOrClang's answer, by the binary's stamp.
std::optional<std::string> FamilyMemo(const Compiler& compiler) {
  absl::StatusOr<Digest> stamp = CompilerStamp(compiler);
  if (!stamp.ok()) return std::nullopt;
  return absl::StrCat(stamp->Hex(), ".family");
}

}  // namespace

void ForgetFamily(const Compiler& compiler, const Config& config) {
  if (std::optional<std::string> memo = FamilyMemo(compiler)) WriteCompilerMemo(config, *memo, "");
}

std::optional<Family> AnswersAsGccOrClang(const Compiler& compiler, const Config& config) {
  const std::optional<std::string> memo_name = FamilyMemo(compiler);
  if (!memo_name) return std::nullopt;
  const std::string& memo = *memo_name;
  std::optional<std::string> known = ReadCompilerMemo(config, memo);
  if (!known || (*known != kGcc && *known != kClang && *known != kOther)) {
    absl::StatusOr<ProcessResult> asked =
        RunProbe({compiler.path, "-dM", "-E", "-x", "c", "/dev/null"}, kProbeTimeoutMs);
    if (!asked.ok()) {
      Log(absl::StrCat("asking ", compiler.path, " what it is: ", asked.status().ToString()));
      // Remembered when it did not answer in time, so that no call waits for it again: gcc
      // and clang answer in milliseconds.
      if (absl::IsDeadlineExceeded(asked.status())) WriteCompilerMemo(config, memo, kOther);
      return std::nullopt;
    }
    const absl::string_view macros = asked->out;
    const bool answered = asked->exit_code == 0 && asked->term_signal == 0 &&
                          Defines(macros, "__GNUC__") &&
                          std::none_of(std::begin(kForeignMacros), std::end(kForeignMacros),
                                       [&](const char* name) { return Defines(macros, name); });
    known = !answered ? kOther : Defines(macros, "__clang__") ? kClang : kGcc;
    WriteCompilerMemo(config, memo, *known);
  }
  if (*known == kGcc) return Family::kGcc;
  if (*known == kClang) return Family::kClang;
  return std::nullopt;
}

}  // namespace ddcc
