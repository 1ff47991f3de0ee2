#include "launcher/target_triple.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

namespace ddcc {

std::string TargetTriple(const Compiler& compiler, const std::vector<std::string>& args) {
  std::string triple;
  for (size_t i = 0; i < args.size(); ++i) {
    if (absl::StartsWith(args[i], "--target=")) triple = args[i].substr(9);
    if ((args[i] == "-target" || args[i] == "--target") && i + 1 < args.size()) {
      triple = args[++i];
    }
  }
  if (!triple.empty()) return triple;
  // The name less its tool (clang, clang++) and version: x86_64-linux-gnu-clang-14.
  std::vector<absl::string_view> parts = absl::StrSplit(compiler.name, '-');
  while (parts.size() > 1 && !parts.back().empty() &&
         absl::ascii_isdigit(static_cast<unsigned char>(parts.back()[0]))) {
    parts.pop_back();
  }
  // A triple has two parts at least: my-clang names no target.
  if (parts.size() < 3) return "";
  parts.pop_back();
  return absl::StrJoin(parts, "-");
}

bool MicrosoftCompatible(const Compiler& compiler, const std::vector<std::string>& args) {
  if (compiler.family != Family::kClang) return false;
  const std::string triple = TargetTriple(compiler, args);
  // A "-windows" triple's environment is MSVC's unless it names GNU's or Cygwin's; the last of
  // -fms-compatibility and -fno-ms-compatibility wins over it.
  bool compatible = (absl::StrContains(triple, "windows") || absl::StrContains(triple, "win32")) &&
                    !absl::StrContains(triple, "gnu") && !absl::StrContains(triple, "cygnus");
  for (const std::string& arg : args) {
    if (arg == "-fms-compatibility") compatible = true;
    if (arg == "-fno-ms-compatibility") compatible = false;
  }
  return compatible;
}

bool ClangAssemblesItself(absl::string_view triple) {
  if (triple.empty()) return true;
  if (absl::StrContains(triple, "-nacl") || absl::StrContains(triple, "-aix")) return false;
  const absl::string_view arch = triple.substr(0, triple.find('-'));
  static constexpr absl::string_view kArchs[] = {
      "x86_64",  "i386",    "i486",  "i586",   "i686",    "aarch64", "arm64",
      "arm",     "thumb",   "riscv", "ppc",    "powerpc", "mips",    "s390x",
      "systemz", "hexagon", "m68k",  "msp430", "avr",     "bpf",     "ve"};
  for (absl::string_view known : kArchs) {
    if (absl::StartsWith(arch, known)) return true;
  }
  return false;
}

}  // namespace ddcc
