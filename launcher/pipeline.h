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
#include "launcher/outcome.h"
#include "launcher/process.h"

namespace ddcc {

// The compiler's result to pass on (from the cache or from running it), or a reason to run the
// compiler as is.
using CompileOutcome = std::variant<ProcessResult, NotCacheable, Failure>;

// Adds to `tally` the lookup's outcome and what happened on the way; the outcome's NotCacheable
// or Failure is left for the caller, who runs the compiler as is. `env`: the compile's
// environment.
CompileOutcome CompileThroughCache(const Compiler& compiler, const std::vector<std::string>& args,
                                   const CompileRequest& request, const Config& config,
                                   Tally& tally, const EnvLookup& env);

}  // namespace ddcc
