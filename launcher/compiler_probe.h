// What a compiler is when its name does not say (rustc under another name), asked of the
// compiler itself once per binary.
#pragma once

#include "launcher/compiler.h"
#include "launcher/config.h"

namespace ddcc {

// Whether `compiler` is a toolchain's own rustc (its real path has lib/rustlib beside its bin/)
// that answers `-vV` as rustc does ("rustc <version>" and a "host:" line). The answer is kept
// under the cache directory by the binary's stamp, so each install is asked once; a program
// that does not answer within seconds, or cannot be asked, is not rustc, nor is a wrapper script.
bool AnswersAsRustc(const Compiler& compiler, const Config& config);

}  // namespace ddcc
