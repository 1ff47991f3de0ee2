#include "launcher/report.h"

#include <cstdlib>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace ddcc {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr int64_t kSecond = 1'000'000'000;
constexpr int64_t kStart = 1'700'000'000 * kSecond;

ExplainRecord Call(std::string object, absl::string_view outcome, int64_t started_s,
                   double took_s = 0.5) {
  ExplainRecord record;
  record.outcome = std::string(outcome);
  record.transcript = "# direct key\nformat: 2\n";
  record.call.started_ns = kStart + started_s * kSecond;
  record.call.took_ns = static_cast<int64_t>(took_s * kSecond);
  record.call.object = std::move(object);
  record.call.source = "x.c";
  record.call.cwd = "/w";
  return record;
}

std::vector<std::string> Objects(const Report& report) {
  std::vector<std::string> objects;
  for (const ReportedCall& call : report.calls) objects.push_back(call.record.call.object);
  return objects;
}

TEST(ReportTest, TheLastBuildStartsAfterTheLastIdleGap) {
  std::vector<ExplainRecord> records = {
      Call("/w/old.o", kMiss, 0), Call("/w/a.o", kMiss, 100, 20),
      // Starts while a.o still compiles, 19 s after it started: the same build.
      Call("/w/b.o", kDirectHit, 119), Call("/w/c.o", kDirectHit, 125)};
  Report report = MakeReport(JournalCallsOf(records), ReportWindow{});
  EXPECT_THAT(Objects(report), ElementsAre("/w/a.o", "/w/b.o", "/w/c.o"));
  EXPECT_THAT(report.rule, HasSubstr("idle gap"));
}

TEST(ReportTest, ZeroStatsStartsABuild) {
  std::vector<ExplainRecord> records = {Call("/w/a.o", kMiss, 0), Call("/w/b.o", kMiss, 1)};
  records.push_back(ZeroMarker(kStart + 2 * kSecond));
  records.push_back(Call("/w/c.o", kDirectHit, 3));
  Report report = MakeReport(JournalCallsOf(records), ReportWindow{});
  EXPECT_THAT(Objects(report), ElementsAre("/w/c.o"));
  EXPECT_THAT(report.rule, HasSubstr("--zero-stats"));
}

TEST(ReportTest, BuildIdAndSincePickTheirCalls) {
  std::vector<ExplainRecord> records = {Call("/w/a.o", kMiss, 0), Call("/w/b.o", kMiss, 1),
                                        Call("/w/c.o", kMiss, 100)};
  records[1].call.build_id = "nightly";
  ReportWindow by_id;
  by_id.build_id = "nightly";
  EXPECT_THAT(Objects(MakeReport(JournalCallsOf(records), by_id)), ElementsAre("/w/b.o"));
  ReportWindow since;
  since.since_ns = kStart + kSecond;
  EXPECT_THAT(Objects(MakeReport(JournalCallsOf(records), since)), ElementsAre("/w/b.o", "/w/c.o"));
}

TEST(ReportTest, MissesSayWhyAgainstTheObjectsCompileBefore) {
  ExplainRecord first = Call("/w/a.o", kMiss, 0);
  ExplainRecord second = Call("/w/a.o", kMiss, 100);
  second.notes.push_back("direct lookup: inc/a.h changed content");
  ExplainRecord link = Call("/w/lib.so", "not cacheable (called_for_link)", 101, 0);
  link.transcript.clear();
  link.call.inputs = {"/w/a.o"};
  Report report = MakeReport(JournalCallsOf({first, second, link}), ReportWindow{});
  ASSERT_EQ(report.calls.size(), 2u);
  EXPECT_EQ(report.calls[0].kind, CallKind::kMiss);
  EXPECT_EQ(report.calls[0].reason, "inc/a.h changed content");
  EXPECT_EQ(report.calls[0].target, "linked into /w/lib.so");
  EXPECT_EQ(report.calls[1].kind, CallKind::kNotCached);
  EXPECT_EQ(report.calls[1].reason, "not cacheable (called_for_link)");
  EXPECT_EQ(report.calls[1].target, "/w");
}

TEST(ReportTest, TargetsFromCMakeObjectDirectories) {
  Report report = MakeReport(JournalCallsOf({Call("/b/CMakeFiles/core.dir/src/x.c.o", kMiss, 0)}),
                             ReportWindow{});
  ASSERT_EQ(report.calls.size(), 1u);
  EXPECT_EQ(report.calls[0].target, "CMake target core (/b)");
}

TEST(ReportTest, TextListsMissesSlowestFirstAndNoHits) {
  std::vector<ExplainRecord> records = {Call("/w/fast.o", kMiss, 0, 0.1),
                                        Call("/w/hit.o", kDirectHit, 0, 0.01),
                                        Call("/w/slow.o", kMiss, 0, 2.0)};
  records[1].call.saved_ms = 900;
  std::string text = ReportText(MakeReport(JournalCallsOf(records), ReportWindow{}));
  EXPECT_THAT(text, HasSubstr("misses:                 2"));
  EXPECT_THAT(text, HasSubstr("saved by hits:       0.90 s"));
  EXPECT_LT(text.find("slow.o"), text.find("fast.o"));
  EXPECT_EQ(text.find("hit.o"), std::string::npos);
  EXPECT_THAT(ReportText(MakeReport(JournalCallsOf({}), ReportWindow{})),
              HasSubstr("records no call"));
}

TEST(ReportTest, SinceTakesAnAgeOrALocalTime) {
  EXPECT_EQ(ParseSince("90s", kStart).value_or(0), kStart - 90 * kSecond);
  absl::StatusOr<int64_t> at = ParseSince("2023-11-14 22:13:20", kStart);
  ASSERT_TRUE(at.ok()) << at.status();
  // kStart is 2023-11-14 22:13:20 UTC; the argument is local time, a whole number of minutes off.
  EXPECT_EQ((*at - kStart) % (60 * kSecond), 0);
  EXPECT_LE(std::abs(*at - kStart), 26 * 3600 * kSecond);
  absl::StatusOr<int64_t> today = ParseSince("00:00", kStart);
  ASSERT_TRUE(today.ok()) << today.status();
  EXPECT_LE(*today, kStart);
  EXPECT_GT(*today, kStart - 24 * 3600 * kSecond);
  EXPECT_FALSE(ParseSince("yesterday", kStart).ok());
  EXPECT_FALSE(ParseSince("14:05 and more", kStart).ok());
}

// Calls that overlap run in lanes of their own; a lane is reused once its call has ended.
TEST(ReportTest, TraceLanes) {
  std::vector<ExplainRecord> records = {Call("/w/a.o", kMiss, 0, 2.0), Call("/w/b.o", kMiss, 1),
                                        Call("/w/c.o", kMiss, 3)};
  std::string trace = ReportTrace(MakeReport(JournalCallsOf(records), ReportWindow{}));
  EXPECT_THAT(trace, HasSubstr("\"name\": \"a.o\", \"cat\": \"miss\", \"ph\": \"X\", \"ts\": "
                               "0.000, \"dur\": 2000000.000, \"pid\": 1, \"tid\": 1"));
  EXPECT_THAT(trace, HasSubstr("\"name\": \"b.o\", \"cat\": \"miss\", \"ph\": \"X\", \"ts\": "
                               "1000000.000, \"dur\": 500000.000, \"pid\": 1, \"tid\": 2"));
  EXPECT_THAT(trace, HasSubstr("\"name\": \"c.o\", \"cat\": \"miss\", \"ph\": \"X\", \"ts\": "
                               "3000000.000, \"dur\": 500000.000, \"pid\": 1, \"tid\": 1"));
}

}  // namespace
}  // namespace ddcc
