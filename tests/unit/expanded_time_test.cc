#include "launcher/expanded_time.h"

#include <ctime>

#include "cache/util/files.h"
#include "gtest/gtest.h"

namespace ddcc {
namespace {

TEST(ExpandedTimeTest, FindsExpandedTimeMacros) {
  EXPECT_TRUE(FindExpandedTime("const char* t = \"16:55:54\";").time);
  EXPECT_TRUE(FindExpandedTime("s = \"\\\"Dec  3 2026\\\"\";").date);
  EXPECT_TRUE(FindExpandedTime("s = \"Nov 30 2026\";").date);
  ExpandedTime stamp = FindExpandedTime("s = \"Thu Dec  3 16:55:54 2026\";");
  EXPECT_TRUE(stamp.timestamp);
  EXPECT_FALSE(FindExpandedTime("std::vector<int> v; a ? b : c; x::y; \"Decimal 3\"").time);
  EXPECT_FALSE(FindExpandedTime("std::vector<int> v; a ? b : c; x::y; \"Decimal 3\"").date);
}

TEST(ExpandedTimeTest, FindsTheClockOfThePreprocessorsRun) {
  const int64_t now = NowNs();
  char time_text[32];
  time_t seconds = now / 1'000'000'000;
  struct tm local;
  localtime_r(&seconds, &local);
  strftime(time_text, sizeof(time_text), "const char* t = \"%H:%M:%S\";", &local);
  EXPECT_TRUE(HoldsClockOfItsRun(time_text, now - 1'000'000'000, now, now));
  EXPECT_FALSE(HoldsClockOfItsRun(time_text, now + 5'000'000'000, now + 6'000'000'000, now));
  EXPECT_FALSE(HoldsClockOfItsRun("int a;", now, now, now));
}

}  // namespace
}  // namespace ddcc
