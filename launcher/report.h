// `ddcc --report`: the calls of the last build from the journal (launcher/explain.h records
// each one), what they cost, and why each miss missed; as text, JSON or a Chrome trace.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "launcher/config.h"
#include "launcher/explain.h"

namespace ddcc {

// How --report picks the calls of the last build.
struct ReportWindow {
  std::optional<std::string> build_id;  // the calls recorded with this DDCC_BUILD_ID
  std::optional<int64_t> since_ns;      // --since: the calls started since then
  int64_t now_ns = 0;
};

// Calls quiet for this long end one build: the next call starts another.
inline constexpr int64_t kIdleGapNs = 10'000'000'000;

// What a call came to, as the report groups them.
enum class CallKind { kDirectHit, kPreprocessedHit, kMiss, kNotCached, kError };

struct ReportedCall {
  ExplainRecord record;
  CallKind kind;
  std::string reason;  // one line: why a miss missed, why a call was not cached
  std::string target;  // what it built part of: a CMake target, a linked file, a directory
};

struct Report {
  std::string rule;                 // which calls, and why those
  std::vector<ReportedCall> calls;  // in the order they started
};

// The journal's records as the report reads them, oldest first. A full journal holds some
// 100,000 calls: their key transcripts are read only where a miss's reason needs them.
struct JournalCalls {
  std::vector<ExplainRecord> records;             // transcripts left out
  std::vector<bool> keyed;                        // whether each one computed keys
  std::function<std::string(size_t)> transcript;  // records[i]'s
};

// From records read whole (tests).
JournalCalls JournalCallsOf(std::vector<ExplainRecord> records);

// The window's calls among the journal's. A miss's reason compares its record with the latest
// earlier compile of the same object, or of the same source elsewhere, as --explain does.
Report MakeReport(const JournalCalls& journal, const ReportWindow& window);

std::string ReportText(const Report& report);
std::string ReportJson(const Report& report);
// Chrome's trace-event format (Perfetto, chrome://tracing): one lane per call running at once.
std::string ReportTrace(const Report& report);

// --since's argument: an age (ParseAge) before `now_ns`, or a local time ("14:05", "2026-12-04
// 14:05:30"; a time of day alone is today's), as wall-clock nanoseconds.
absl::StatusOr<int64_t> ParseSince(absl::string_view text, int64_t now_ns);

// A record that marks where --zero-stats zeroed the statistics: a build starts after it.
ExplainRecord ZeroMarker(int64_t now_ns);

// Prints the report to stdout (as JSON with `json`), writes the trace to `trace_path` if it is
// not empty; returns the exit status.
int PrintReport(const Config& config, const ReportWindow& window, bool json,
                const std::string& trace_path);

}  // namespace ddcc
