// One cacheable rustc call (a library crate, see rustc_args.h) through the stages
// (launcher/stages.h), as sccache caches it: rustc lists what the crate reads (--emit=dep-info:
// its source files and the environment variables it reads), and the key holds those files'
// contents beside the arguments, the working directory, the crates named by --extern, cargo's
// CARGO_* variables and the toolchain (rustc's version, its binary and its standard library's
// files). A hit writes the stored outputs into --out-dir and replays rustc's messages (cargo's
// JSON ones included).
#pragma once

#include "launcher/stages.h"

namespace ddcc {

// `context.compiler.rustc` is set.
ParsedCall ParseRustcCall(const CallContext& context);

}  // namespace ddcc
