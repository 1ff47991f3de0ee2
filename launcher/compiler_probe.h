// What a compiler is when its name does not say (rustc under another name, a gcc or clang
// wrapper), asked of the compiler itself once per binary.
#pragma once

#include "launcher/compiler.h"
#include "launcher/config.h"

namespace ddcc {

// Whether `compiler` is a toolchain's own rustc (its real path has lib/rustlib beside its bin/)
// that answers `-vV` as rustc does ("rustc <version>" and a "host:" line). The answer is kept
// under the cache directory by the binary's stamp, so each install is asked once; a program
// that does not answer within seconds, or cannot be asked, is not rustc, nor is a wrapper script.
bool AnswersAsRustc(const Compiler& compiler, const Config& config);

// The family of a compiler whose name says nothing (mpicc, h5cc, a project's cc-wrapper.sh, a
// cross gcc under an odd name), from the macros it predefines (`-dM -E` of an empty C file):
// clang's, gcc's, or none for anything else, including compilers that define __GNUC__ but take
// other options (Intel's, NVIDIA's, Emscripten's). Asked once per binary, as AnswersAsRustc.
// What such a compiler runs is keyed at every call (ProbeDriver's `wrapped`).
std::optional<Family> AnswersAsGccOrClang(const Compiler& compiler, const Config& config);
// Drops the kept answer: the compiler ran the other family since (a wrapper whose environment
// picks the compiler), so the next call asks again.
void ForgetFamily(const Compiler& compiler, const Config& config);

}  // namespace ddcc
