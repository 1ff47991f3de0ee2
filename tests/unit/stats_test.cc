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

  stats.Zero();
  EXPECT_EQ(stats.Read().Hits(), 0u);
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
