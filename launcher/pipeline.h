// One cacheable compile, as a short sequence of stages: check the outputs, preprocess, compute the
// key, look it up; then either write the stored outputs (a hit) or compile and store (a miss).
#pragma once

#include <string>
#include <variant>
#include <vector>

#include "absl/status/status.h"
#include "launcher/args.h"
#include "launcher/compiler.h"
#include "launcher/config.h"
#include "launcher/process.h"
#include "launcher/stats.h"

namespace ddcc {

// A failure inside ddcc before anything the build can see has happened.
struct Failure {
  ErrorKind kind;
  absl::Status status;
};

// The compiler's result to pass on (from the cache or from running it), or a reason to run the
// compiler as is.
using CompileOutcome = std::variant<ProcessResult, NotCacheable, Failure>;

// Counts hits, misses and what happens after the compiler ran; NotCacheable and Failure are left
// for the caller, who runs the compiler as is. `env`: the compile's environment.
CompileOutcome CompileThroughCache(const Compiler& compiler, const std::vector<std::string>& args,
                                   const CompileRequest& request, const Config& config,
                                   Stats& stats, const EnvLookup& env);

}  // namespace ddcc
