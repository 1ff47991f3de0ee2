#include "launcher/explain.h"

#include <limits.h>
#include <stdlib.h>
#include <unistd.h>

#include <cstdio>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "cache/store/entry.h"
#include "launcher/keys.h"
#include "launcher/stats.h"

namespace ddcc {
namespace {

constexpr absl::string_view kRecordBlob = "explain record";
constexpr absl::string_view kOutcomeField = "outcome: ";
constexpr absl::string_view kNoteField = "note: ";
constexpr absl::string_view kCountSuffix = " count";

// A transcript's lines by section ("# direct key", "# result key"), each a name's values in
// order; names in order of first appearance.
struct Section {
  std::vector<std::string> names;
  absl::flat_hash_map<std::string, std::vector<std::string>> values;
};
using Sections = std::vector<std::pair<std::string, Section>>;

Sections ParseTranscript(absl::string_view text) {
  Sections sections;
  for (absl::string_view line : absl::StrSplit(text, '\n', absl::SkipEmpty())) {
    if (absl::StartsWith(line, "# ")) {
      sections.emplace_back(std::string(line), Section{});
      continue;
    }
    size_t colon = line.find(": ");
    if (sections.empty() || colon == absl::string_view::npos) continue;
    Section& section = sections.back().second;
    auto [it, inserted] = section.values.try_emplace(line.substr(0, colon));
    if (inserted) section.names.push_back(it->first);
    it->second.emplace_back(line.substr(colon + 2));
  }
  return sections;
}

const Section* FindSection(const Sections& sections, absl::string_view header) {
  for (const auto& [name, section] : sections) {
    if (name == header) return &section;
  }
  return nullptr;
}

const std::vector<std::string>& ValuesOf(const Section& section, const std::string& name) {
  static const std::vector<std::string> kNone;
  auto it = section.values.find(name);
  return it == section.values.end() ? kNone : it->second;
}

// `from` less `taken`, counting repeats: an argument given twice and then once was removed once.
std::vector<std::string> Without(const std::vector<std::string>& from,
                                 const std::vector<std::string>& taken) {
  absl::flat_hash_map<std::string, int> left;
  for (const std::string& value : taken) ++left[value];
  std::vector<std::string> rest;
  for (const std::string& value : from) {
    if (left[value]-- <= 0) rest.push_back(value);
  }
  return rest;
}

// The preprocessing arguments repeat the compile arguments: one label keeps one line per change.
std::string ListLabel(absl::string_view name) {
  return std::string(name == key_label::kPreprocessorArgument ? key_label::kArgument : name);
}

// "path digest" values: the path, when the digest is all that changed.
absl::string_view PathOf(absl::string_view value) {
  size_t space = value.rfind(' ');
  return space == absl::string_view::npos ? value : value.substr(0, space);
}

std::string Joined(const std::vector<std::string>& values) {
  return values.empty() ? "(none)" : absl::StrJoin(values, " ");
}

std::string DescribeChange(absl::string_view name, const std::vector<std::string>& before,
                           const std::vector<std::string>& last) {
  if (name == key_label::kSource && before.size() == 1 && last.size() == 1 &&
      PathOf(before[0]) == PathOf(last[0])) {
    return absl::StrCat("source changed content: ", PathOf(last[0]));
  }
  if (name == key_label::kPreprocessedText) {
    return "preprocessed text changed: the source, a header or a macro now gives the compiler "
           "other text";
  }
  if (absl::StartsWith(name, key_label::kEnvPrefix)) {
    return absl::StrCat("environment variable ", name.substr(key_label::kEnvPrefix.size()),
                        " changed: ", Joined(before), " -> ", Joined(last));
  }
  return absl::StrCat(name, " changed: ", Joined(before), " -> ", Joined(last));
}

// Lines for the names whose values differ between two sections of the same kind.
void DiffSection(const Section& before, const Section& last, std::vector<std::string>& lines) {
  std::vector<std::string> names = last.names;
  for (const std::string& name : before.names) {
    if (!last.values.contains(name)) names.push_back(name);
  }
  for (const std::string& name : names) {
    if (absl::EndsWith(name, kCountSuffix)) continue;  // the list's own lines tell more
    const std::vector<std::string>& old_values = ValuesOf(before, name);
    const std::vector<std::string>& new_values = ValuesOf(last, name);
    if (old_values == new_values) continue;
    std::string count = absl::StrCat(name, kCountSuffix);
    if (!before.values.contains(count) && !last.values.contains(count)) {
      lines.push_back(DescribeChange(name, old_values, new_values));
      continue;
    }
    for (const std::string& value : Without(new_values, old_values)) {
      lines.push_back(absl::StrCat(ListLabel(name), " added: ", value));
    }
    for (const std::string& value : Without(old_values, new_values)) {
      lines.push_back(absl::StrCat(ListLabel(name), " removed: ", value));
    }
  }
}

std::string Headline(absl::string_view outcome) {
  if (outcome == kDirectHit) {
    return "hit (direct): every file of a recorded include set was unchanged, so the result was "
           "served without running the preprocessor";
  }
  if (outcome == kPreprocessedHit) {
    return "hit (preprocessed): the preprocessed text matched a stored result";
  }
  if (outcome == kMiss) return "miss: compiled (notes below say if it was not stored)";
  return std::string(outcome);
}

// A direct hit computes only the direct key, so a miss after one has more inputs than it.
bool ComputedSameKeys(const ExplainRecord& before, const ExplainRecord& last) {
  constexpr absl::string_view kResultKey = "# result key\n";
  return absl::StrContains(before.transcript, kResultKey) ==
         absl::StrContains(last.transcript, kResultKey);
}

}  // namespace

std::string DescribeOutcome(const CompileOutcome& outcome, absl::string_view hit_kind) {
  if (const auto* result = std::get_if<ProcessResult>(&outcome)) {
    if (!hit_kind.empty()) return std::string(hit_kind);
    bool failed = result->exit_code != 0 || result->term_signal != 0;
    return failed ? "the compile failed: nothing stored" : std::string(kMiss);
  }
  if (const auto* reason = std::get_if<NotCacheable>(&outcome)) {
    return absl::StrCat("not cacheable (", LabelOf(reason->reason).key, "): ", reason->detail);
  }
  const Failure& failure = std::get<Failure>(outcome);
  return absl::StrCat("error (", LabelOf(failure.kind).key,
                      "), the compiler ran as is: ", failure.status.message());
}

std::string EncodeRecord(const ExplainRecord& record) {
  std::string text = absl::StrCat(kOutcomeField, record.outcome, "\n");
  for (const std::string& note : record.notes) absl::StrAppend(&text, kNoteField, note, "\n");
  return text + record.transcript;
}

ExplainRecord DecodeRecord(absl::string_view text) {
  ExplainRecord record;
  while (!text.empty() && !absl::StartsWith(text, "# ")) {
    size_t end = text.find('\n');
    absl::string_view line = text.substr(0, end);
    text.remove_prefix(end == absl::string_view::npos ? text.size() : end + 1);
    if (absl::ConsumePrefix(&line, kOutcomeField)) record.outcome = std::string(line);
    if (absl::ConsumePrefix(&line, kNoteField)) record.notes.emplace_back(line);
  }
  record.transcript = std::string(text);
  return record;
}

std::string ObjectIdentity(absl::string_view cwd, absl::string_view object) {
  std::string path =
      absl::StartsWith(object, "/") ? std::string(object) : absl::StrCat(cwd, "/", object);
  size_t slash = path.rfind('/');
  std::string dir = slash == 0 ? "/" : path.substr(0, slash);
  char resolved[PATH_MAX];
  // A directory gone since the compile: the path as written still names the record.
  if (realpath(dir.c_str(), resolved) == nullptr) return path;
  return absl::StrCat(resolved, absl::string_view(resolved) == "/" ? "" : "/",
                      path.substr(slash + 1));
}

Digest ExplainKey(absl::string_view identity) {
  Hasher hasher;
  hasher.Field("explain record");  // no other key starts with this field
  hasher.Field(kFormatVersion);
  hasher.Field(identity);
  return hasher.Finish();
}

absl::StatusOr<ExplainRecords> LoadRecords(LocalStore& store, const Digest& key) {
  absl::StatusOr<std::vector<std::string>> kept = store.ReadRecords(key);
  if (!kept.ok()) return kept.status();
  std::vector<ExplainRecord> records;
  for (const std::string& bytes : *kept) {
    // The journal checked the bytes; an entry that still does not decode was written by a
    // different format, and is left out.
    absl::StatusOr<Entry> entry = DecodeEntry(bytes);
    const std::string* text = entry.ok() ? entry->Find(kRecordBlob) : nullptr;
    if (text) records.push_back(DecodeRecord(*text));
  }
  if (records.empty()) return absl::NotFoundError("no compile recorded");
  ExplainRecords result;
  result.last = std::move(records.back());
  records.pop_back();
  // The compile to compare with: the latest other one that reached the keys. Repeats of the
  // last (a run of hits) and compiles that computed no key have nothing to tell.
  for (auto it = records.rbegin(); it != records.rend(); ++it) {
    if (!it->transcript.empty() && *it != *result.last) {
      result.before = std::move(*it);
      break;
    }
  }
  return result;
}

absl::Status AppendRecord(LocalStore& store, const Digest& key, const ExplainRecord& record,
                          int compression_level) {
  Entry entry;
  entry.blobs.emplace_back(kRecordBlob, EncodeRecord(record));
  return store.AppendRecord(key, EncodeEntry(entry, compression_level));
}

std::string DescribeMismatch(const Mismatch& mismatch) {
  switch (mismatch.kind) {
    case Mismatch::Kind::kChanged:
      return absl::StrCat("direct lookup: ", mismatch.path, " changed content");
    case Mismatch::Kind::kMissing:
      return absl::StrCat("direct lookup: ", mismatch.path, " is gone or unreadable");
    case Mismatch::Kind::kExists:
      return absl::StrCat("direct lookup: ", mismatch.path,
                          " now exists (it comes before a header on the search path, or a "
                          "__has_include sees it)");
  }
  return "";
}

std::vector<std::string> DiffTranscripts(absl::string_view before, absl::string_view last) {
  Sections old_sections = ParseTranscript(before);
  Sections new_sections = ParseTranscript(last);
  std::vector<std::string> lines;
  for (const auto& [header, section] : new_sections) {
    // A direct hit never computed the result key: only what both compiles computed compares.
    if (const Section* old_section = FindSection(old_sections, header)) {
      DiffSection(*old_section, section, lines);
    }
  }
  std::vector<std::string> unique;
  absl::flat_hash_set<std::string> seen;
  for (std::string& line : lines) {
    if (seen.insert(line).second) unique.push_back(std::move(line));
  }
  return unique;
}

std::string ExplainText(absl::string_view object, const ExplainRecord& last,
                        const std::optional<ExplainRecord>& before) {
  std::string text = absl::StrCat("Last compile of ", object, ": ", Headline(last.outcome), "\n");
  for (const std::string& note : last.notes) absl::StrAppend(&text, "  ", note, "\n");
  // Any other outcome ran the preprocessor or the compiler: the one before shows why.
  if (last.outcome == kDirectHit) return text;
  if (!before) {
    return absl::StrCat(text, "No earlier compile of it is recorded to compare with.\n");
  }
  std::vector<std::string> changes = DiffTranscripts(before->transcript, last.transcript);
  // A preprocessed hit found its result; only a change can say why the direct key did not.
  if (last.outcome == kPreprocessedHit && changes.empty()) return text;
  absl::StrAppend(&text, "Compared with the compile before it (", before->outcome, "):\n");
  for (const std::string& note : before->notes) absl::StrAppend(&text, "  then: ", note, "\n");
  for (const std::string& change : changes) absl::StrAppend(&text, "  ", change, "\n");
  if (changes.empty() && !ComputedSameKeys(*before, last)) {
    absl::StrAppend(&text,
                    "  the direct key's inputs are the same; the compile before computed no "
                    "other key to compare with\n");
  } else if (changes.empty()) {
    absl::StrAppend(&text,
                    "  no input of the keys changed: the result it would have found was never "
                    "stored, or was removed since (--clear, eviction); the log says which\n");
  }
  return text;
}

int ExplainObject(const Config& config, absl::string_view object) {
  char cwd[PATH_MAX];
  if (getcwd(cwd, sizeof(cwd)) == nullptr) {
    std::fprintf(stderr, "ddcc: cannot find the working directory\n");
    return 1;
  }
  std::string identity = ObjectIdentity(cwd, object);
  LocalStore store(config.cache_dir, StoreSettingsOf(config));
  absl::StatusOr<ExplainRecords> records = LoadRecords(store, ExplainKey(identity));
  if (records.ok() && !records->last) records = absl::NotFoundError("no last compile");
  if (absl::IsNotFound(records.status())) {
    std::fprintf(stderr,
                 "ddcc: no compile of %s is recorded in %s: ddcc records each compile it could "
                 "cache; was the object built through ddcc with this cache directory?\n",
                 identity.c_str(), config.cache_dir.c_str());
    return 1;
  }
  if (!records.ok()) {
    std::fprintf(stderr, "ddcc: cannot read the record of %s: %s\n", identity.c_str(),
                 std::string(records.status().message()).c_str());
    return 1;
  }
  std::string text = ExplainText(identity, *records->last, records->before);
  std::fputs(text.c_str(), stdout);
  return 0;
}

}  // namespace ddcc
