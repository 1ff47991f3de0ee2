#include "launcher/stages.h"

#include <utility>

namespace ddcc {
namespace {

CompileOutcome RunInOrder(CachedCall& call) {
  if (std::optional<CompileOutcome> refused = call.KeyCommandLine()) return *std::move(refused);
  if (std::optional<CompileOutcome> served = call.ServeDirect()) return *std::move(served);
  std::variant<Digest, KeyAfterCompile, CompileOutcome> keyed = call.KeyInputs();
  if (auto* outcome = std::get_if<CompileOutcome>(&keyed)) return std::move(*outcome);
  if (std::holds_alternative<KeyAfterCompile>(keyed)) return call.CompileAndStore(std::nullopt);
  const Digest& key = std::get<Digest>(keyed);
  if (std::optional<CompileOutcome> served = call.ServeResult(key)) return *std::move(served);
  return call.CompileAndStore(key);
}

}  // namespace

CompileOutcome RunStages(CachedCall& call) {
  CompileOutcome outcome = RunInOrder(call);
  call.Record(outcome);
  return outcome;
}

}  // namespace ddcc
