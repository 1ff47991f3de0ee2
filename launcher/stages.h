// The stages every cached call goes through, whatever its compiler, and the seam each kind of
// compiler fills in (gcc/clang: launcher/pipeline.cc; rustc: launcher/rustc_pipeline.cc).
//
// A call is keyed by its command line first; the inputs the last compile of that command line
// read, if they are as they were, lead straight to a result (a direct hit). Otherwise the kind
// lists what the compile reads without compiling it (the preprocessor, rustc's dep-info pass)
// and keys the result by that; or, where that costs more than it saves, compiles first and keys
// the result by what the compile says it read. A result found is served; otherwise the compiler
// runs and what it produced is stored.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "cache/util/hash.h"
#include "launcher/compiler.h"
#include "launcher/config.h"
#include "launcher/outcome.h"
#include "launcher/process.h"

namespace ddcc {

// The compiler's result to pass on (from the cache or from running it), or a reason to run the
// compiler as is.
using CompileOutcome = std::variant<ProcessResult, NotCacheable, Failure>;

// What every call starts from. The kind adds to `tally` the lookup's outcome and what happened
// on the way; `env` is the compile's environment.
struct CallContext {
  const Compiler& compiler;
  const std::vector<std::string>& args;
  const Config& config;
  const EnvLookup& env;
  Tally& tally;
};

// The kind compiles first and keys the result by what the compile read.
struct KeyAfterCompile {};

// One call, as a kind of compiler carries out each stage. A stage that returns an outcome ends
// the call with it.
class CachedCall {
 public:
  virtual ~CachedCall() = default;

  // Checks the call and keys its command line and the files it names.
  virtual std::optional<CompileOutcome> KeyCommandLine() = 0;
  // The hit the inputs recorded under the command line's key lead to, if they are unchanged.
  virtual std::optional<CompileOutcome> ServeDirect() = 0;
  // The result's key from the inputs listed without compiling, KeyAfterCompile, or an outcome.
  virtual std::variant<Digest, KeyAfterCompile, CompileOutcome> KeyInputs() = 0;
  // The hit stored under `key`, or nullopt for a miss.
  virtual std::optional<CompileOutcome> ServeResult(const Digest& key) = 0;
  // Runs the compiler and stores its result under `key` (or, with none, the key made from what
  // the compile read), recording the inputs for the next ServeDirect.
  virtual CompileOutcome CompileAndStore(std::optional<Digest> key) = 0;
  // Leaves a record of the call (--explain, --report). Best effort.
  virtual void Record(const CompileOutcome& outcome) = 0;
};

// Runs `call`'s stages in order, and records how it ended.
CompileOutcome RunStages(CachedCall& call);

// A call of a compiler of a kind ddcc caches, ready for RunStages; or why it is run as is.
using ParsedCall = std::variant<std::unique_ptr<CachedCall>, NotCacheable, Failure>;

// Reads the call's arguments as the compiler's kind does (launcher/compiler_kind.cc).
ParsedCall ParseCall(const CallContext& context);

}  // namespace ddcc
