// The target a clang compile is for, and what follows from it for caching.
#pragma once

#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "launcher/compiler.h"

namespace ddcc {

// The target triple `args` give (the last --target), else the one a prefixed name gives
// (x86_64-pc-windows-msvc-clang, x86_64-linux-gnu-clang-14; not my-clang), else "" (the host's).
std::string TargetTriple(const Compiler& compiler, const std::vector<std::string>& args);

// Whether clang assembles for `triple` itself unless told otherwise: else it runs an outside
// `as` (clang 14 for SPARC, C-SKY, WebAssembly and LoongArch on Linux, NaCl, AIX, ...). Only
// the architectures it was seen to assemble for on every system count.
bool ClangAssemblesItself(absl::string_view triple);

// Whether clang compiles in Microsoft compatibility (-fms-compatibility, the default for an MSVC
// target), where a quoted #include searches the directory of every file that includes the
// includer, which no line marker shows.
bool MicrosoftCompatible(const Compiler& compiler, const std::vector<std::string>& args);

}  // namespace ddcc
