#include "launcher/stats.h"

#include "gtest/gtest.h"
#include "tests/unit/temp_dir_test.h"

namespace ddcc {
namespace {

class StatsTest : public TempDirTest {};

// Each call's tally is counted once, every part of it in its own counter.
TEST_F(StatsTest, ATallyCountsEachOfItsParts) {
  Stats stats(dir_ + "/cache");
  Tally hit;
  hit.lookup = Tally::Lookup::kDirectHit;
  hit.time_saved_ms = 120;
  hit.Add(RemoteOutcome::kMiss);
  hit.Add(RemoteOutcome::kTimeout);
  hit.Add(RemoteOutcome::kTimeout);
  stats.Count(hit);

  Tally miss;
  miss.lookup = Tally::Lookup::kMiss;
  miss.errors = {ErrorKind::kCorruptEntry, ErrorKind::kCacheWriteFailed};
  stats.Count(miss);

  Tally failed_compile;
  failed_compile.uncacheable = Uncacheable::kCompilationFailed;
  stats.Count(failed_compile);
  stats.Count(Tally{});  // a call that did nothing countable

  StatsSnapshot counted = stats.Read();
  EXPECT_EQ(counted.direct_hits, 1u);
  EXPECT_EQ(counted.preprocessed_hits, 0u);
  EXPECT_EQ(counted.misses, 1u);
  EXPECT_EQ(counted.time_saved_ms, 120u);
  EXPECT_EQ(counted.remote_hits, 0u);
  EXPECT_EQ(counted.remote_misses, 1u);
  EXPECT_EQ(counted.remote_timeouts, 2u);
  EXPECT_EQ(counted.ErrorTotal(), 2u);
  EXPECT_EQ(counted.errors[static_cast<size_t>(ErrorKind::kCorruptEntry)], 1u);
  EXPECT_EQ(counted.errors[static_cast<size_t>(ErrorKind::kCacheWriteFailed)], 1u);
  EXPECT_EQ(counted.UncacheableTotal(), 1u);
  EXPECT_EQ(counted.uncacheable[static_cast<size_t>(Uncacheable::kCompilationFailed)], 1u);

  EXPECT_TRUE(stats.Zero().ok());
  EXPECT_EQ(stats.Read().Hits(), 0u);
}

// Lookups are also counted by language; a call of no counted language adds to the totals only.
TEST_F(StatsTest, LookupsAreCountedByLanguage) {
  Stats stats(dir_ + "/cache");
  auto lookup = [&stats](std::optional<Language> language, Tally::Lookup kind) {
    Tally tally;
    tally.language = language;
    tally.lookup = kind;
    stats.Count(tally);
  };
  lookup(Language::kC, Tally::Lookup::kDirectHit);
  lookup(Language::kCxx, Tally::Lookup::kMiss);
  lookup(Language::kRust, Tally::Lookup::kPreprocessedHit);
  lookup(Language::kRust, Tally::Lookup::kMiss);
  lookup(std::nullopt, Tally::Lookup::kMiss);  // assembler
  lookup(Language::kC, Tally::Lookup::kNone);  // not cacheable: no lookup
  StatsSnapshot counted = stats.Read();
  auto counts = [&counted](Language language) {
    const auto& c = counted.languages[static_cast<size_t>(language)];
    return std::vector<uint64_t>{c.direct_hits, c.preprocessed_hits, c.misses};
  };
  EXPECT_EQ(counts(Language::kC), (std::vector<uint64_t>{1, 0, 0}));
  EXPECT_EQ(counts(Language::kCxx), (std::vector<uint64_t>{0, 0, 1}));
  EXPECT_EQ(counts(Language::kRust), (std::vector<uint64_t>{0, 1, 1}));
  EXPECT_EQ(counted.Hits() + counted.misses, 5u);
  EXPECT_EQ(counted.errors, (std::array<uint64_t, kErrorKindCount>{}));
}

// Without a usable cache directory nothing is counted, and nothing fails.
TEST_F(StatsTest, WithoutCountersNothingIsCounted) {
  Stats stats(dir_ + "/absent", std::nullopt, /*may_create=*/false);
  Tally hit;
  hit.lookup = Tally::Lookup::kPreprocessedHit;
  stats.Count(hit);
  EXPECT_EQ(stats.Read().Hits(), 0u);
}

}  // namespace
}  // namespace ddcc
