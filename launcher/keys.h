// The two keys of a compile. The result key covers the preprocessed text; the direct key covers
// instead what produces that text (the source, the preprocessing arguments and environment),
// and leads through a manifest to result keys. Both share everything else that shapes the
// result: compiler, language, compile arguments, and what shapes the outputs and diagnostics.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "cache/config.h"
#include "cache/hash.h"
#include "launcher/args.h"
#include "launcher/compiler.h"
#include "launcher/process.h"

namespace ddcc {

class KeyInputs;

class KeyMaker {
 public:
  // `color`: diagnostics are asked for in colour (ddcc does so on a terminal).
  KeyMaker(const Compiler& compiler, const CompileRequest& request, const Config& config,
           bool color)
      : compiler_(compiler), request_(request), config_(config), color_(color) {}

  // With a transcript, each input is also written to it as a "name: value" line.
  absl::StatusOr<Digest> DirectKey(std::string* transcript = nullptr) const;
  absl::StatusOr<Digest> ResultKey(const ProcessResult& preprocessed,
                                   std::string* transcript = nullptr) const;
  // Where the compiler's header search path for this compile is memoised: what `-E -v` depends
  // on, which is the direct key's inputs less the source and compile-only settings.
  absl::StatusOr<Digest> SearchPathKey() const;

 private:
  absl::Status AddCommon(KeyInputs& inputs) const;

  const Compiler& compiler_;
  const CompileRequest& request_;
  const Config& config_;
  bool color_;
};

}  // namespace ddcc
