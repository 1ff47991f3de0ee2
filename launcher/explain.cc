#include "launcher/explain.h"

#include <limits.h>
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "cache/store/entry.h"
#include "cache/util/files.h"
#include "cache/util/log.h"
#include "launcher/blob_kind.h"
#include "launcher/keys.h"
#include "launcher/stats.h"

namespace ddcc {
namespace {

constexpr absl::string_view kOutcomeField = "outcome: ";
constexpr absl::string_view kNoteField = "note: ";
// "<started_ns> <took_ns> <saved_ms>", then one line each for the strings of CallFacts.
constexpr absl::string_view kCallField = "call: ";
constexpr absl::string_view kObjectField = "object: ";
constexpr absl::string_view kSourceField = "source: ";
constexpr absl::string_view kCwdField = "cwd: ";
constexpr absl::string_view kBuildField = "build: ";
constexpr absl::string_view kInputField = "input: ";
constexpr absl::string_view kCountSuffix = " count";
// DescribeMismatch's notes: the lookup's prefix, the path, and one of the four endings.
constexpr absl::string_view kDirectLookup = "direct lookup: ";
constexpr absl::string_view kChangedContent = " changed content";
constexpr absl::string_view kGone = " is gone or unreadable";
constexpr absl::string_view kNowExists =
    " now exists (it comes before a header on the search path, or a __has_include sees it)";
constexpr absl::string_view kRelinked =
    " now leads to another real path (gcc may name it by that path)";

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
  if (name == key_label::kFileRead) {
    // Only the files whose bytes changed, which the text may not show (a comment).
    absl::flat_hash_map<absl::string_view, absl::string_view> was;
    for (const std::string& value : before) was[PathOf(value)] = value;
    std::vector<absl::string_view> changed;
    for (const std::string& value : last) {
      auto found = was.find(PathOf(value));
      if (found == was.end() || found->second != value) changed.push_back(PathOf(value));
    }
    if (!changed.empty() && before.size() == last.size()) {
      return absl::StrCat("file changed content: ", absl::StrJoin(changed, " "));
    }
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

// The source a record's call compiled, as an absolute path.
std::string SourceFile(const ExplainRecord& record) {
  const std::string& source = record.call.source;
  return absl::StartsWith(source, "/") ? source : absl::StrCat(record.call.cwd, "/", source);
}

// Why a key of `record` holds the working directory, if one does (KeyMaker notes it).
std::optional<std::string> WhyCwd(const ExplainRecord& record) {
  for (const auto& [header, section] : ParseTranscript(record.transcript)) {
    const std::vector<std::string>& why = ValuesOf(section, std::string(key_label::kWhyCwd));
    if (!why.empty()) return why.front();
  }
  return std::nullopt;
}

std::string Headline(absl::string_view outcome) {
  if (outcome == kDirectHit) {
    return "hit (direct): every file of a recorded include set was unchanged, so the result was "
           "served without running the preprocessor (for rustc, its dep-info pass)";
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
    return absl::StrCat("not cacheable (", LabelOf(reason->reason).key, ")",
                        reason->detail.empty() ? "" : ": ", reason->detail);
  }
  const Failure& failure = std::get<Failure>(outcome);
  return absl::StrCat("error (", LabelOf(failure.kind).key,
                      "), the compiler ran as is: ", failure.status.message());
}

std::string EncodeRecord(const ExplainRecord& record) {
  std::string text = absl::StrCat(kOutcomeField, record.outcome, "\n");
  for (const std::string& note : record.notes) absl::StrAppend(&text, kNoteField, note, "\n");
  const CallFacts& call = record.call;
  absl::StrAppend(&text, kCallField, call.started_ns, " ", call.took_ns, " ", call.saved_ms, "\n");
  // Paths with a newline are cut there: the report shows them, nothing looks them up.
  auto line = [&text](absl::string_view field, absl::string_view value) {
    if (!value.empty()) absl::StrAppend(&text, field, value.substr(0, value.find('\n')), "\n");
  };
  line(kObjectField, call.object);
  line(kSourceField, call.source);
  line(kCwdField, call.cwd);
  line(kBuildField, call.build_id);
  for (const std::string& input : call.inputs) line(kInputField, input);
  return text + record.transcript;
}

ExplainRecord DecodeRecord(absl::string_view text) {
  ExplainRecord record;
  while (!text.empty() && !absl::StartsWith(text, "# ")) {
    size_t end = text.find('\n');
    absl::string_view line = text.substr(0, end);
    text.remove_prefix(end == absl::string_view::npos ? text.size() : end + 1);
    CallFacts& call = record.call;
    if (absl::ConsumePrefix(&line, kOutcomeField)) {
      record.outcome = std::string(line);
    } else if (absl::ConsumePrefix(&line, kNoteField)) {
      record.notes.emplace_back(line);
    } else if (absl::ConsumePrefix(&line, kCallField)) {
      std::vector<absl::string_view> numbers = absl::StrSplit(line, ' ');
      if (numbers.size() != 3 || !absl::SimpleAtoi(numbers[0], &call.started_ns) ||
          !absl::SimpleAtoi(numbers[1], &call.took_ns) ||
          !absl::SimpleAtoi(numbers[2], &call.saved_ms)) {
        call = CallFacts{};
      }
    } else if (absl::ConsumePrefix(&line, kObjectField)) {
      call.object = std::string(line);
    } else if (absl::ConsumePrefix(&line, kSourceField)) {
      call.source = std::string(line);
    } else if (absl::ConsumePrefix(&line, kCwdField)) {
      call.cwd = std::string(line);
    } else if (absl::ConsumePrefix(&line, kBuildField)) {
      call.build_id = std::string(line);
    } else if (absl::ConsumePrefix(&line, kInputField)) {
      call.inputs.emplace_back(line);
    }
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
    if (std::optional<ExplainRecord> record = DecodeStoredRecord(bytes, key)) {
      records.push_back(*std::move(record));
    }
  }
  if (records.empty()) return absl::NotFoundError("no compile recorded");
  ExplainRecords result;
  result.last = std::move(records.back());
  records.pop_back();
  // The compile to compare with: the latest other one that reached the keys. Repeats of the
  // last (a run of hits) and compiles that computed no key have nothing to tell.
  for (auto it = records.rbegin(); it != records.rend(); ++it) {
    if (!it->transcript.empty() && !it->TellsAlike(*result.last)) {
      result.before = std::move(*it);
      break;
    }
  }
  return result;
}

absl::Status AppendRecord(LocalStore& store, const Digest& key, const ExplainRecord& record,
                          int compression_level) {
  Entry entry;
  entry.Add(blob::kExplainRecord, EncodeRecord(record));
  return store.AppendRecord(key, EncodeEntry(entry, compression_level, key));
}

void RecordUncachedCall(const Config& config, const std::vector<std::string>& args,
                        absl::string_view outcome, CallFacts call) {
  // The output a link or an unknown compiler names, as the compiler spells the option, and the
  // objects a link reads.
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "-o" && i + 1 < args.size()) {
      call.object = ObjectIdentity(call.cwd, args[++i]);
    } else if (absl::StartsWith(args[i], "-o")) {
      call.object = ObjectIdentity(call.cwd, absl::string_view(args[i]).substr(2));
    } else if (absl::EndsWith(args[i], ".o") && !absl::StartsWith(args[i], "-")) {
      call.inputs.push_back(ObjectIdentity(call.cwd, args[i]));
    }
  }
  ExplainRecord record{std::string(outcome), {}, "", std::move(call)};
  LocalStore store(config.cache_dir, StoreSettingsOf(config));
  ScopedUmask cache_umask(config.umask);
  if (absl::Status saved =
          AppendRecord(store, ExplainKey(record.call.object), record, config.compression_level);
      !saved.ok()) {
    Log(absl::StrCat("no --report record: ", saved.message()));
  }
}

std::optional<ExplainRecord> DecodeStoredRecord(absl::string_view bytes, const Digest& key) {
  // The journal checked the bytes; an entry that still does not decode was written by a
  // different format.
  absl::StatusOr<Entry> entry = DecodeEntry(bytes, key);
  const std::string* text = entry.ok() ? entry->Find(blob::kExplainRecord) : nullptr;
  if (!text) return std::nullopt;
  return DecodeRecord(*text);
}

std::string DescribeMismatch(const Mismatch& mismatch) {
  switch (mismatch.kind) {
    case Mismatch::Kind::kChanged:
      return absl::StrCat(kDirectLookup, mismatch.path, kChangedContent);
    case Mismatch::Kind::kMissing:
      return absl::StrCat(kDirectLookup, mismatch.path, kGone);
    case Mismatch::Kind::kExists:
      return absl::StrCat(kDirectLookup, mismatch.path, kNowExists);
    case Mismatch::Kind::kRelinked:
      return absl::StrCat(kDirectLookup, mismatch.path, kRelinked);
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

std::string MissReason(const ExplainRecord& last, const ExplainRecord* before,
                       bool before_elsewhere) {
  for (const std::string& note : last.notes) {
    absl::string_view text = note;
    // DescribeMismatch's notes name the file; the others say why there was no lookup.
    if (absl::ConsumePrefix(&text, kDirectLookup) &&
        (absl::EndsWith(text, kChangedContent) || absl::EndsWith(text, kGone) ||
         absl::EndsWith(text, kNowExists) || absl::EndsWith(text, kRelinked))) {
      return std::string(text);
    }
  }
  if (before) {
    std::vector<std::string> changes = DiffTranscripts(before->transcript, last.transcript);
    const std::string where =
        before_elsewhere ? absl::StrCat("first compile here; against ", before->call.object, ": ")
                         : "";
    for (const std::string& change : changes) {
      if (!absl::StartsWith(change, key_label::kWorkingDirectory)) continue;
      if (std::optional<std::string> why = WhyCwd(last)) {
        return absl::StrCat(where, "another working directory, which the key holds because ", *why);
      }
    }
    if (!changes.empty()) return absl::StrCat(where, changes.front());
  }
  for (const std::string& note : last.notes) {
    // With nothing to compare with, "no manifest" says no more than "the first compile".
    if (!before && note == kNoManifestNote) continue;
    absl::string_view text = note;
    absl::ConsumePrefix(&text, kDirectLookup);
    return std::string(text);
  }
  return before ? "no input of the keys changed: the result was never stored, or was removed"
                : "the first compile recorded of this object and of its source";
}

std::string ExplainText(absl::string_view object, const ExplainRecord& last,
                        const std::optional<ExplainRecord>& before, bool before_elsewhere) {
  std::string text = absl::StrCat("Last compile of ", object, ": ", Headline(last.outcome), "\n");
  for (const std::string& note : last.notes) absl::StrAppend(&text, "  ", note, "\n");
  // Any other outcome ran the preprocessor or the compiler: the one before shows why.
  if (last.outcome == kDirectHit) return text;
  if (!before) {
    return absl::StrCat(text,
                        "No earlier compile of it, or of its source in another directory, is "
                        "recorded to compare with.\n");
  }
  std::vector<std::string> changes = DiffTranscripts(before->transcript, last.transcript);
  // A preprocessed hit found its result; only a change can say why the direct key did not.
  if (last.outcome == kPreprocessedHit && changes.empty()) return text;
  if (before_elsewhere) {
    absl::StrAppend(&text,
                    "No earlier compile of it is recorded. Compared with the latest compile "
                    "of the same source in another directory, ",
                    before->call.object, " (", before->outcome, "):\n");
  } else {
    absl::StrAppend(&text, "Compared with the compile before it (", before->outcome, "):\n");
  }
  for (const std::string& note : before->notes) absl::StrAppend(&text, "  then: ", note, "\n");
  bool directory_changed = false;
  for (const std::string& change : changes) {
    absl::StrAppend(&text, "  ", change, "\n");
    directory_changed |= absl::StartsWith(change, key_label::kWorkingDirectory);
  }
  if (std::optional<std::string> why = WhyCwd(last); why && directory_changed) {
    absl::StrAppend(&text, "  the working directory is in the key because ", *why, "\n");
  }
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

const ExplainRecord* CompileElsewhere(const std::vector<const ExplainRecord*>& records,
                                      const ExplainRecord& last) {
  constexpr int kClosest = 6;
  // Newest first, and not without end: a report asks this for every first compile of a build.
  constexpr size_t kMostLookedAt = 4096;
  if (last.call.source.empty()) return nullptr;
  const ExplainRecord* closest = nullptr;
  int closest_score = 0;
  size_t looked_at = 0;
  for (auto it = records.rbegin(); it != records.rend() && looked_at < kMostLookedAt; ++it) {
    const ExplainRecord* record = *it;
    if (record->call.object == last.call.object ||
        Basename(record->call.source) != Basename(last.call.source)) {
      continue;
    }
    ++looked_at;
    const int score = 1 + 3 * (SourceFile(*record) == SourceFile(last)) +
                      (record->call.source == last.call.source) +
                      (Basename(record->call.object) == Basename(last.call.object));
    // A source of the same name alone (lib.rs of another crate, util.c of another library)
    // is not the same compile elsewhere.
    if (score > closest_score && score > 1) {
      closest = record;
      closest_score = score;
      if (score == kClosest) break;
    }
  }
  return closest;
}

std::string BaseDirHint(const std::vector<std::string>& base_dirs, const ExplainRecord& last,
                        const ExplainRecord& elsewhere) {
  const std::string& cwd = last.call.cwd;
  const std::string& other_cwd = elsewhere.call.cwd;
  if (cwd.empty() || other_cwd.empty() || cwd == other_cwd) return "";
  if (WhyCwd(last)) return "";  // a key holds the directory itself: a base directory won't help
  // The longest directory above both (or one of them, where it holds the other).
  const size_t shorter = std::min(cwd.size(), other_cwd.size());
  size_t common = 0, i = 0;
  for (; i < shorter && cwd[i] == other_cwd[i]; ++i) {
    if (cwd[i] == '/') common = i;
  }
  const std::string& longer = cwd.size() > other_cwd.size() ? cwd : other_cwd;
  if (i == shorter && longer[shorter] == '/') common = shorter;
  const std::string above = std::string(cwd.substr(0, common));
  if (above.empty()) return "";
  auto covers = [](absl::string_view base, absl::string_view dir) {
    return dir == base || absl::StartsWith(dir, absl::StrCat(base, "/"));
  };
  for (const std::string& base : base_dirs) {
    if (covers(base, cwd) && covers(base, other_cwd)) return "";
  }
  return absl::StrCat("Both directories are below ", above, ": with base_dir (DDCC_BASEDIR) ",
                      "set to it, paths below it are hashed relative to the working directory, ",
                      "and the two builds can share results where nothing else ties them to ",
                      "their directory.\n");
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
  std::optional<ExplainRecord> before = records->before;
  const bool elsewhere = !before && records->last->outcome != kDirectHit;
  if (elsewhere) {
    // Only compiles of a source of the same name can be the closest: the others are not kept.
    absl::StatusOr<std::vector<Journal::Keyed>> kept = store.ReadAllRecords();
    std::vector<ExplainRecord> same_name;
    for (const Journal::Keyed& one : kept.ok() ? *kept : std::vector<Journal::Keyed>{}) {
      std::optional<ExplainRecord> record = DecodeStoredRecord(one.record, one.key);
      if (record && !record->transcript.empty() &&
          Basename(record->call.source) == Basename(records->last->call.source)) {
        same_name.push_back(*std::move(record));
      }
    }
    std::vector<const ExplainRecord*> candidates;
    for (const ExplainRecord& record : same_name) candidates.push_back(&record);
    if (const ExplainRecord* found = CompileElsewhere(candidates, *records->last)) before = *found;
  }
  std::string text = ExplainText(identity, *records->last, before, elsewhere);
  if (elsewhere && before) {
    absl::StrAppend(&text, BaseDirHint(config.base_dirs, *records->last, *before));
  }
  std::fputs(text.c_str(), stdout);
  return 0;
}

}  // namespace ddcc
