#include "launcher/stats.h"

#include <unistd.h>

#include "cache/util/files.h"

namespace ddcc {
namespace {

// Slot layout of the counter file: outcomes, the uncacheable reasons, the error kinds, and room
// to grow without moving what is there.
constexpr size_t kPreprocessedHitSlot = 0;
constexpr size_t kMissSlot = 1;
constexpr size_t kDirectHitSlot = 2;
constexpr size_t kTimeSavedMsSlot = 3;
constexpr size_t kRemoteSlot = 4;  // + RemoteOutcome: hits, misses, errors, timeouts
constexpr size_t kUncacheableSlot = 8;
constexpr size_t kErrorSlot = 40;
constexpr size_t kLanguageSlot = 48;  // + 3 * Language: direct hits, preprocessed hits, misses
constexpr size_t kSlots = 64;
static_assert(kRemoteSlot + kRemoteOutcomeCount <= kUncacheableSlot);
static_assert(kUncacheableSlot + kUncacheableCount <= kErrorSlot);
static_assert(kErrorSlot + kErrorKindCount <= kLanguageSlot);
static_assert(kLanguageSlot + 3 * kLanguageCount <= kSlots);

constexpr Label kLanguageLabels[] = {{"c", "C"}, {"c++", "C++"}, {"rust", "Rust"}};
static_assert(std::size(kLanguageLabels) == kLanguageCount);

constexpr Label kUncacheableLabels[] = {
    {"called_for_link", "Called for linking"},
    {"called_for_preprocessing", "Called for preprocessing"},
    {"multiple_source_files", "Multiple source files"},
    {"no_input_file", "No input file"},
    {"output_to_stdout", "Output to stdout"},
    {"unsupported_option", "Unsupported compiler option"},
    {"unsupported_language", "Unsupported source language"},
    {"compilation_failed", "Compilation failed"},
    {"preprocessor_failed", "Preprocessing failed"},
    {"unsupported_compiler", "Unsupported compiler"},
    {"output_not_regular_file", "Output to a non-regular file"},
    {"bad_response_file", "Unreadable response file"},
    {"unsupported_code_directive", "Unsupported code directive"},
    {"output_is_input", "Output is also an input"},
};
static_assert(std::size(kUncacheableLabels) == kUncacheableCount);

constexpr Label kErrorLabels[] = {
    {"bad_config", "Bad configuration"},
    {"cache_read_failed", "Cache read failed"},
    {"corrupt_entry", "Corrupt cache entry"},
    {"cache_write_failed", "Cache write failed"},
    {"output_write_failed", "Writing an output failed"},
    {"unexpected_compiler_output", "Unexpected compiler output"},
    {"internal_error", "Internal error"},
};
static_assert(std::size(kErrorLabels) == kErrorKindCount);

}  // namespace

const Label& LabelOf(Uncacheable reason) { return kUncacheableLabels[static_cast<size_t>(reason)]; }
const Label& LabelOf(ErrorKind kind) { return kErrorLabels[static_cast<size_t>(kind)]; }
const Label& LabelOf(Language language) { return kLanguageLabels[static_cast<size_t>(language)]; }

uint64_t StatsSnapshot::UncacheableTotal() const {
  uint64_t total = 0;
  for (uint64_t n : uncacheable) total += n;
  return total;
}

uint64_t StatsSnapshot::ErrorTotal() const {
  uint64_t total = 0;
  for (uint64_t n : errors) total += n;
  return total;
}

Stats::Stats(const std::string& cache_dir, std::optional<mode_t> umask, bool may_create) {
  ScopedUmask cache_umask(umask);
  std::string path = cache_dir + "/stats";
  if (!may_create && access(path.c_str(), F_OK) != 0) return;
  absl::StatusOr<SharedCounters> counters = SharedCounters::Open(path, kSlots);
  if (!counters.ok() && absl::IsNotFound(counters.status()) && MakeDirs(cache_dir).ok()) {
    counters = SharedCounters::Open(path, kSlots);
  }
  if (counters.ok()) counters_ = *std::move(counters);
}

void Stats::Add(size_t slot, uint64_t amount) {
  if (counters_) counters_->Add(slot, amount);
}

void Stats::Count(const Tally& tally) {
  switch (tally.lookup) {
    case Tally::Lookup::kNone:
      break;
    case Tally::Lookup::kDirectHit:
      Add(kDirectHitSlot);
      break;
    case Tally::Lookup::kPreprocessedHit:
      Add(kPreprocessedHitSlot);
      break;
    case Tally::Lookup::kMiss:
      Add(kMissSlot);
      break;
  }
  if (tally.language && tally.lookup != Tally::Lookup::kNone) {
    const size_t first = kLanguageSlot + 3 * static_cast<size_t>(*tally.language);
    Add(first + (tally.lookup == Tally::Lookup::kDirectHit         ? 0
                 : tally.lookup == Tally::Lookup::kPreprocessedHit ? 1
                                                                   : 2));
  }
  if (tally.time_saved_ms != 0) Add(kTimeSavedMsSlot, tally.time_saved_ms);
  if (tally.uncacheable) Add(kUncacheableSlot + static_cast<size_t>(*tally.uncacheable));
  for (ErrorKind kind : tally.errors) Add(kErrorSlot + static_cast<size_t>(kind));
  for (size_t i = 0; i < kRemoteOutcomeCount; ++i) {
    if (tally.remote[i] != 0) Add(kRemoteSlot + i, tally.remote[i]);
  }
}

StatsSnapshot Stats::Read() const {
  StatsSnapshot snapshot;
  if (!counters_) return snapshot;
  snapshot.direct_hits = counters_->Get(kDirectHitSlot);
  snapshot.preprocessed_hits = counters_->Get(kPreprocessedHitSlot);
  snapshot.misses = counters_->Get(kMissSlot);
  snapshot.time_saved_ms = counters_->Get(kTimeSavedMsSlot);
  auto remote = [&](RemoteOutcome outcome) {
    return counters_->Get(kRemoteSlot + static_cast<size_t>(outcome));
  };
  snapshot.remote_hits = remote(RemoteOutcome::kHit);
  snapshot.remote_misses = remote(RemoteOutcome::kMiss);
  snapshot.remote_errors = remote(RemoteOutcome::kError);
  snapshot.remote_timeouts = remote(RemoteOutcome::kTimeout);
  for (size_t i = 0; i < kUncacheableCount; ++i) {
    snapshot.uncacheable[i] = counters_->Get(kUncacheableSlot + i);
  }
  for (size_t i = 0; i < kErrorKindCount; ++i) snapshot.errors[i] = counters_->Get(kErrorSlot + i);
  for (size_t i = 0; i < kLanguageCount; ++i) {
    StatsSnapshot::LanguageCounts& counts = snapshot.languages[i];
    counts.direct_hits = counters_->Get(kLanguageSlot + 3 * i);
    counts.preprocessed_hits = counters_->Get(kLanguageSlot + 3 * i + 1);
    counts.misses = counters_->Get(kLanguageSlot + 3 * i + 2);
  }
  return snapshot;
}

absl::Status Stats::Zero() {
  if (!counters_ || !counters_->shared()) {
    return absl::PermissionDeniedError("the statistics file cannot be written");
  }
  for (size_t slot = 0; slot < kSlots; ++slot) counters_->Set(slot, 0);
  return absl::OkStatus();
}

}  // namespace ddcc
