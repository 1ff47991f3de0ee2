#include "launcher/report.h"

#include <time.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <memory>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/strip.h"
#include "cache/store/store.h"
#include "cache/util/files.h"
#include "cache/util/json.h"

namespace ddcc {
namespace {

// The outcome of the marker --zero-stats leaves; no call has it.
constexpr absl::string_view kZeroedOutcome = "statistics zeroed";

CallKind CallKindOf(absl::string_view outcome) {
  if (outcome == kDirectHit) return CallKind::kDirectHit;
  if (outcome == kPreprocessedHit) return CallKind::kPreprocessedHit;
  if (outcome == kMiss) return CallKind::kMiss;
  if (absl::StartsWith(outcome, "error (")) return CallKind::kError;
  return CallKind::kNotCached;  // not cacheable, or the compile failed
}

absl::string_view KindName(CallKind kind) {
  switch (kind) {
    case CallKind::kDirectHit:
      return "direct hit";
    case CallKind::kPreprocessedHit:
      return "preprocessed hit";
    case CallKind::kMiss:
      return "miss";
    case CallKind::kNotCached:
      return "not cached";
    case CallKind::kError:
      return "error";
  }
  return "";
}

bool IsHit(CallKind kind) {
  return kind == CallKind::kDirectHit || kind == CallKind::kPreprocessedHit;
}

std::string ClockTime(int64_t ns) {
  time_t seconds = ns / 1'000'000'000;
  struct tm local;
  char text[32];
  if (localtime_r(&seconds, &local) == nullptr ||
      strftime(text, sizeof(text), "%Y-%m-%d %H:%M:%S", &local) == 0) {
    return absl::StrCat(seconds);
  }
  return text;
}

double Seconds(int64_t ns) { return static_cast<double>(ns) / 1e9; }

// What a call built part of, as far as the journal tells: a CMake target by its object
// directory, else what a recorded link made of the object (a Python extension), else the
// object's directory.
std::string TargetOf(const CallFacts& call,
                     const absl::flat_hash_map<std::string, std::string>& linked_into) {
  constexpr std::string_view kCMakeDir = "/CMakeFiles/";
  const std::string& object = call.object;
  if (size_t at = object.find(kCMakeDir); at != std::string::npos) {
    size_t name = at + kCMakeDir.size();
    size_t end = object.find(".dir/", name);
    if (end != std::string::npos) {
      return absl::StrCat("CMake target ", object.substr(name, end - name), " (",
                          object.substr(0, at), ")");
    }
  }
  if (auto it = linked_into.find(object); it != linked_into.end() && !it->second.empty()) {
    return absl::StrCat("linked into ", it->second);
  }
  if (object.empty()) return call.cwd;
  size_t slash = object.rfind('/');
  return object.substr(0, slash == 0 ? 1 : slash);
}

// The first call of the last build when no id or time picks it: after the last --zero-stats
// and after the last idle gap. Sets `rule` to say which bound it was.
size_t LastBuildStart(const std::vector<const ExplainRecord*>& calls,
                      const std::optional<int64_t>& zeroed_ns, std::string& rule) {
  size_t start = 0;
  int64_t busy_until = INT64_MIN;
  for (size_t i = 0; i < calls.size(); ++i) {
    const CallFacts& call = calls[i]->call;
    if (i > 0 && call.started_ns - busy_until >= kIdleGapNs) start = i;
    busy_until = std::max(busy_until, call.started_ns + call.took_ns);
  }
  rule = start == 0 ? "every call recorded: no idle gap of 10 s or more between them"
                    : absl::StrCat("the calls since the last idle gap of 10 s or more, before ",
                                   ClockTime(calls[start]->call.started_ns));
  if (zeroed_ns) {
    size_t after_zero = 0;
    while (after_zero < calls.size() && calls[after_zero]->call.started_ns < *zeroed_ns) {
      ++after_zero;
    }
    if (after_zero >= start) {
      start = after_zero;
      rule = absl::StrCat("the calls since --zero-stats at ", ClockTime(*zeroed_ns));
    }
  }
  return start;
}

// The calls of the window among every recorded one, in the order they started.
std::vector<const ExplainRecord*> PickCalls(const std::vector<ExplainRecord>& records,
                                            const ReportWindow& window, std::string& rule) {
  std::vector<const ExplainRecord*> calls;
  std::optional<int64_t> zeroed_ns;
  for (const ExplainRecord& record : records) {
    if (record.outcome == kZeroedOutcome) {
      zeroed_ns = std::max(zeroed_ns.value_or(INT64_MIN), record.call.started_ns);
    } else if (record.call.started_ns > 0) {  // records of older ddcc versions have no time
      calls.push_back(&record);
    }
  }
  std::stable_sort(calls.begin(), calls.end(), [](const ExplainRecord* a, const ExplainRecord* b) {
    return a->call.started_ns < b->call.started_ns;
  });
  if (calls.empty()) {
    rule = "the journal records no call";
  } else if (window.build_id) {
    rule = absl::StrCat("the calls with DDCC_BUILD_ID=", *window.build_id);
    std::erase_if(calls,
                  [&](const ExplainRecord* r) { return r->call.build_id != *window.build_id; });
  } else if (window.since_ns) {
    rule = absl::StrCat("the calls since ", ClockTime(*window.since_ns), " (--since)");
    std::erase_if(calls,
                  [&](const ExplainRecord* r) { return r->call.started_ns < *window.since_ns; });
  } else {
    calls.erase(calls.begin(), calls.begin() + LastBuildStart(calls, zeroed_ns, rule));
  }
  return calls;
}

// Misses and calls not cached, slowest first.
std::vector<const ReportedCall*> Listed(const Report& report) {
  std::vector<const ReportedCall*> listed;
  for (const ReportedCall& call : report.calls) {
    if (!IsHit(call.kind)) listed.push_back(&call);
  }
  std::stable_sort(listed.begin(), listed.end(), [](const ReportedCall* a, const ReportedCall* b) {
    return a->record.call.took_ns > b->record.call.took_ns;
  });
  return listed;
}

struct Totals {
  std::map<CallKind, size_t> count;
  int64_t miss_ns = 0;
  uint64_t saved_ms = 0;
  int64_t first_ns = 0, last_ns = 0;  // the first call's start, the last one's end
};

Totals TotalsOf(const Report& report) {
  Totals totals;
  for (const ReportedCall& reported : report.calls) {
    const CallFacts& call = reported.record.call;
    ++totals.count[reported.kind];
    if (reported.kind == CallKind::kMiss) totals.miss_ns += call.took_ns;
    if (IsHit(reported.kind)) totals.saved_ms += call.saved_ms;
    if (totals.first_ns == 0) totals.first_ns = call.started_ns;
    totals.last_ns = std::max(totals.last_ns, call.started_ns + call.took_ns);
  }
  return totals;
}

// The object as the text shows it: below the working directory, as a path from there.
std::string Shown(const CallFacts& call) {
  if (call.object.empty()) return absl::StrCat("(no output, in ", call.cwd, ")");
  absl::string_view object = call.object;
  if (!call.cwd.empty() && absl::ConsumePrefix(&object, call.cwd) &&
      absl::ConsumePrefix(&object, "/")) {
    return std::string(object);
  }
  return call.object;
}

}  // namespace

JournalCalls JournalCallsOf(std::vector<ExplainRecord> records) {
  JournalCalls journal;
  auto transcripts = std::make_shared<std::vector<std::string>>();
  for (ExplainRecord& record : records) {
    journal.keyed.push_back(!record.transcript.empty());
    transcripts->push_back(std::move(record.transcript));
    record.transcript.clear();
  }
  journal.records = std::move(records);
  journal.transcript = [transcripts](size_t i) { return (*transcripts)[i]; };
  return journal;
}

Report MakeReport(const JournalCalls& journal, const ReportWindow& window) {
  const std::vector<ExplainRecord>& records = journal.records;
  Report report;
  std::vector<const ExplainRecord*> calls = PickCalls(records, window, report.rule);
  // For each miss, in journal order: the latest earlier compile of its object that computed
  // keys, else the closest of the earlier compiles of sources of its name, and which it was.
  absl::flat_hash_map<std::string, const ExplainRecord*> latest_of_object;
  absl::flat_hash_map<std::string, std::vector<const ExplainRecord*>> by_source_name;
  absl::flat_hash_map<const ExplainRecord*, std::pair<const ExplainRecord*, bool>> before;
  for (size_t i = 0; i < records.size(); ++i) {
    const ExplainRecord& record = records[i];
    if (record.call.object.empty()) continue;
    const ExplainRecord*& latest = latest_of_object[record.call.object];
    std::vector<const ExplainRecord*>& same_name = by_source_name[Basename(record.call.source)];
    if (CallKindOf(record.outcome) == CallKind::kMiss) {
      before[&record] =
          latest ? std::pair{latest, false} : std::pair{CompileElsewhere(same_name, record), true};
    }
    if (journal.keyed[i]) {
      latest = &record;
      same_name.push_back(&record);
    }
  }
  // The record with its transcript, which only a miss's reason reads.
  auto full = [&](const ExplainRecord* record) {
    ExplainRecord copy = *record;
    copy.transcript = journal.transcript(record - records.data());
    return copy;
  };
  absl::flat_hash_map<std::string, std::string> linked_into;  // the latest link of each object
  for (const ExplainRecord& record : records) {
    for (const std::string& input : record.call.inputs) linked_into[input] = record.call.object;
  }
  for (const ExplainRecord* record : calls) {
    ReportedCall& reported = report.calls.emplace_back();
    reported.record = *record;
    reported.kind = CallKindOf(record->outcome);
    reported.target = TargetOf(record->call, linked_into);
    if (reported.kind == CallKind::kMiss) {
      auto [earlier, elsewhere] = before[record];
      std::optional<ExplainRecord> earlier_record;
      if (earlier) earlier_record = full(earlier);
      reported.reason = MissReason(full(record), earlier_record ? &*earlier_record : nullptr,
                                   elsewhere && earlier);
    } else if (!IsHit(reported.kind)) {
      reported.reason = record->outcome;
    }
  }
  return report;
}

std::string ReportText(const Report& report) {
  if (report.calls.empty()) return absl::StrCat("No calls to report: ", report.rule, ".\n");
  Totals totals = TotalsOf(report);
  std::string text =
      absl::StrFormat("%d calls from %s to %s (%.1f s)\n  which: %s\n", report.calls.size(),
                      ClockTime(totals.first_ns), ClockTime(totals.last_ns),
                      Seconds(totals.last_ns - totals.first_ns), report.rule);
  for (auto [kind, label] : {std::pair{CallKind::kDirectHit, "direct hits"},
                             {CallKind::kPreprocessedHit, "preprocessed hits"},
                             {CallKind::kMiss, "misses"},
                             {CallKind::kNotCached, "not cached"},
                             {CallKind::kError, "errors"}}) {
    absl::StrAppendFormat(&text, "  %-18s %6d\n", absl::StrCat(label, ":"), totals.count[kind]);
  }
  absl::StrAppendFormat(&text, "  compiling misses:  %6.2f s\n  saved by hits:     %6.2f s\n",
                        Seconds(totals.miss_ns), totals.saved_ms / 1000.0);
  std::vector<const ReportedCall*> listed = Listed(report);
  if (listed.empty()) return absl::StrCat(text, "Every call was a hit.\n");
  // By target, the slowest target first.
  std::vector<std::string> order;
  absl::flat_hash_map<std::string, std::vector<const ReportedCall*>> by_target;
  for (const ReportedCall* call : listed) {
    auto [it, inserted] = by_target.try_emplace(call->target);
    if (inserted) order.push_back(call->target);
    it->second.push_back(call);
  }
  absl::StrAppend(&text, "\nMisses and calls not cached, slowest first, by target:\n");
  for (const std::string& target : order) {
    absl::StrAppend(&text, target, "\n");
    for (const ReportedCall* call : by_target[target]) {
      const CallFacts& facts = call->record.call;
      std::string took = facts.took_ns > 0 ? absl::StrFormat("%6.2f s", Seconds(facts.took_ns))
                                           : std::string("       -");
      absl::StrAppendFormat(&text, "  %s  %-10s  %s: %s\n", took, KindName(call->kind),
                            Shown(facts), call->reason);
    }
  }
  return text;
}

std::string ReportJson(const Report& report) {
  Totals totals = TotalsOf(report);
  std::string json = absl::StrFormat(
      "{\"rule\": %s, \"calls\": %d, \"direct_hits\": %d, \"preprocessed_hits\": %d, "
      "\"misses\": %d, \"not_cached\": %d, \"errors\": %d, \"miss_seconds\": %.3f, "
      "\"saved_seconds\": %.3f, \"listed\": [",
      JsonString(report.rule), report.calls.size(), totals.count[CallKind::kDirectHit],
      totals.count[CallKind::kPreprocessedHit], totals.count[CallKind::kMiss],
      totals.count[CallKind::kNotCached], totals.count[CallKind::kError], Seconds(totals.miss_ns),
      totals.saved_ms / 1000.0);
  const char* separator = "";
  for (const ReportedCall* call : Listed(report)) {
    const CallFacts& facts = call->record.call;
    absl::StrAppendFormat(&json,
                          "%s\n  {\"object\": %s, \"source\": %s, \"cwd\": %s, \"target\": %s, "
                          "\"kind\": %s, \"outcome\": %s, \"reason\": %s, \"started_ns\": %d, "
                          "\"seconds\": %.3f}",
                          separator, JsonString(facts.object), JsonString(facts.source),
                          JsonString(facts.cwd), JsonString(call->target),
                          JsonString(KindName(call->kind)), JsonString(call->record.outcome),
                          JsonString(call->reason), facts.started_ns, Seconds(facts.took_ns));
    separator = ",";
  }
  return json + "]}\n";
}

std::string ReportTrace(const Report& report) {
  std::string json = "{\"displayTimeUnit\": \"ms\", \"traceEvents\": [";
  std::vector<int64_t> lane_free_at;  // each lane's end of its last call
  const int64_t origin = report.calls.empty() ? 0 : report.calls.front().record.call.started_ns;
  const char* separator = "";
  for (const ReportedCall& call : report.calls) {
    const CallFacts& facts = call.record.call;
    size_t lane = 0;
    while (lane < lane_free_at.size() && lane_free_at[lane] > facts.started_ns) ++lane;
    if (lane == lane_free_at.size()) lane_free_at.push_back(0);
    lane_free_at[lane] = facts.started_ns + std::max<int64_t>(facts.took_ns, 1);
    // Chrome's reserved colour names: hits green, misses red, the rest grey.
    absl::string_view colour = IsHit(call.kind)               ? "good"
                               : call.kind == CallKind::kMiss ? "terrible"
                                                              : "grey";
    std::string name = facts.object.empty() ? facts.cwd : facts.object;
    absl::StrAppendFormat(
        &json,
        "%s\n  {\"name\": %s, \"cat\": %s, \"ph\": \"X\", \"ts\": %.3f, \"dur\": %.3f, "
        "\"pid\": 1, \"tid\": %d, \"cname\": \"%s\", \"args\": {\"source\": %s, \"reason\": %s}}",
        separator, JsonString(name.substr(name.rfind('/') + 1)), JsonString(KindName(call.kind)),
        (facts.started_ns - origin) / 1e3, std::max<int64_t>(facts.took_ns, 1) / 1e3, lane + 1,
        colour, JsonString(facts.source), JsonString(call.reason));
    separator = ",";
  }
  return json + "]}\n";
}

absl::StatusOr<int64_t> ParseSince(absl::string_view text, int64_t now_ns) {
  if (absl::StatusOr<int64_t> age = ParseAge(text); age.ok()) return now_ns - *age;
  const std::string when(text);
  const time_t now = now_ns / 1'000'000'000;
  for (const char* format : {"%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M",
                             "%Y-%m-%dT%H:%M", "%H:%M:%S", "%H:%M"}) {
    struct tm local;
    localtime_r(&now, &local);  // a time of day alone is today's
    local.tm_sec = 0;
    const char* end = strptime(when.c_str(), format, &local);
    if (end == nullptr || *end != '\0') continue;
    local.tm_isdst = -1;
    const time_t seconds = mktime(&local);
    if (seconds != -1) return int64_t{seconds} * 1'000'000'000;
  }
  return absl::InvalidArgumentError(
      absl::StrCat("\"", text, "\" is neither an age (90s, 10m, 2h, 7d) nor a local time (14:05, ",
                   "2026-12-04 14:05:30)"));
}

ExplainRecord ZeroMarker(int64_t now_ns) {
  ExplainRecord marker;
  marker.outcome = std::string(kZeroedOutcome);
  marker.call.started_ns = now_ns;
  return marker;
}

int PrintReport(const Config& config, const ReportWindow& window, bool json,
                const std::string& trace_path) {
  LocalStore store(config.cache_dir, StoreSettingsOf(config));
  absl::StatusOr<std::vector<Journal::Keyed>> kept = store.ReadAllRecords();
  if (absl::IsNotFound(kept.status())) kept = std::vector<Journal::Keyed>{};
  if (!kept.ok()) {
    std::fprintf(stderr, "ddcc: cannot read the journal: %s\n",
                 std::string(kept.status().message()).c_str());
    return 1;
  }
  // The transcripts stay encoded (a full journal's would take hundreds of MB), each record's
  // bytes found again by its place.
  JournalCalls journal;
  std::vector<size_t> kept_index;
  for (size_t i = 0; i < kept->size(); ++i) {
    std::optional<ExplainRecord> record = DecodeStoredRecord((*kept)[i].record, (*kept)[i].key);
    if (!record) continue;
    journal.keyed.push_back(!record->transcript.empty());
    std::string().swap(record->transcript);  // an assigned empty string would keep the buffer
    journal.records.push_back(*std::move(record));
    kept_index.push_back(i);
  }
  journal.transcript = [&](size_t i) {
    std::optional<ExplainRecord> record =
        DecodeStoredRecord((*kept)[kept_index[i]].record, (*kept)[kept_index[i]].key);
    return record ? record->transcript : std::string();
  };
  Report report = MakeReport(journal, window);
  if (!trace_path.empty()) {
    if (absl::Status written = WriteFileAtomic(trace_path, ReportTrace(report)); !written.ok()) {
      std::fprintf(stderr, "ddcc: cannot write the trace: %s\n",
                   std::string(written.message()).c_str());
      return 1;
    }
  }
  std::string text = json ? ReportJson(report) : ReportText(report);
  std::fputs(text.c_str(), stdout);
  return 0;
}

}  // namespace ddcc
