// What becomes of a call, in the one vocabulary the statistics count: why a call is not cached,
// what failed inside ddcc, and the tally one call adds (Stats::Count counts it, in one place).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "cache/remote/remote.h"

namespace ddcc {

// Why a call is run as is rather than cached. Stats slots and names follow this order
// (launcher/stats.cc); append only.
enum class Uncacheable {
  kCalledForLink,
  kCalledForPreprocessing,
  kMultipleSources,
  kNoInputFile,
  kOutputToStdout,
  kUnsupportedOption,
  kUnsupportedLanguage,
  kCompilationFailed,
  kPreprocessorFailed,
  kUnsupportedCompiler,
  kOutputNotRegularFile,
  kBadResponseFile,
  kUnsupportedCodeDirective,
  kOutputIsInput,
  kCount
};

// Failures inside ddcc; each still ends in the compiler's own result. Append only, as above.
enum class ErrorKind {
  kBadConfig,
  kCacheReadFailed,
  kCorruptEntry,
  kCacheWriteFailed,
  kOutputWriteFailed,
  kUnexpectedCompilerOutput,
  kInternal,
  kCount
};

inline constexpr size_t kUncacheableCount = static_cast<size_t>(Uncacheable::kCount);
inline constexpr size_t kErrorKindCount = static_cast<size_t>(ErrorKind::kCount);
inline constexpr size_t kRemoteOutcomeCount = static_cast<size_t>(RemoteOutcome::kTimeout) + 1;

// A call that is run as is, and why.
struct NotCacheable {
  Uncacheable reason;
  std::string detail;  // e.g. the offending option, for the log
};

// A failure inside ddcc before anything the build can see has happened.
struct Failure {
  ErrorKind kind;
  absl::Status status;
};

// What one call adds to the statistics, gathered while it runs.
// The languages statistics count lookups of apart. Stats slots follow this order; append only.
enum class Language { kC, kCxx, kRust, kCount };
inline constexpr size_t kLanguageCount = static_cast<size_t>(Language::kCount);

struct Tally {
  enum class Lookup { kNone, kDirectHit, kPreprocessedHit, kMiss };
  Lookup lookup = Lookup::kNone;
  std::optional<Language> language;  // of a lookup; unset for other languages (assembler, ...)
  uint64_t time_saved_ms = 0;        // a hit's stored compile time
  std::optional<Uncacheable> uncacheable;
  // Failures on the way (a damaged entry removed, a result not stored) and the one that ended
  // the call, if any.
  std::vector<ErrorKind> errors;
  std::array<uint64_t, kRemoteOutcomeCount> remote{};  // per remote request, by RemoteOutcome

  void Add(RemoteOutcome outcome) { ++remote[static_cast<size_t>(outcome)]; }
};

}  // namespace ddcc
