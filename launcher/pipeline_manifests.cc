#include "absl/strings/str_cat.h"
#include "cache/store/manifest.h"
#include "cache/util/log.h"
#include "launcher/blob_kind.h"
#include "launcher/compile_inputs.h"
#include "launcher/compile_pipeline.h"
#include "launcher/depfile.h"
#include "launcher/expanded_time.h"
#include "launcher/explain.h"
#include "launcher/source_language.h"

namespace ddcc {

// Every key's local manifest first, then the remotes': a local hit under the second key (this
// directory's own) asks no remote.
std::optional<Digest> CompilePipeline::LookUpManifests() {
  for (const bool remotes : {false, true}) {
    if (remotes && !store_.has_remotes()) break;
    for (const Digest& key : scope_.ManifestKeys(*direct_key_)) {
      if (std::optional<Digest> found = LookUpManifest(key, remotes)) return found;
    }
  }
  return std::nullopt;
}

// The result key the manifest under the direct key leads to, if the files it lists are as they
// were. Damaged manifests are removed. Where no set of the local manifest matches (or there is
// none), the remotes' are asked, each merged in after what is known, so that a set recorded
// elsewhere (CI, on another branch) is found, and kept for the next save.
std::optional<Digest> CompilePipeline::LookUpManifest(const Digest& direct_key, bool remotes) {
  absl::StatusOr<Entry> local = store_.local().Load(direct_key);
  if (absl::IsDataLoss(local.status())) Discard(direct_key, local.status().message());
  std::optional<Manifest> manifest;
  if (local.ok()) {
    absl::StatusOr<Manifest> parsed = Manifest::FromEntry(*local);
    if (parsed.ok()) {
      manifest = *std::move(parsed);
    } else {
      store_.Remove(direct_key).IgnoreError();
      Discard(direct_key, parsed.status().message());
    }
  }
  Manifest::Restamps restamps;
  std::optional<Digest> found;
  // Asked for the remotes, the local manifest is known not to match by itself.
  if (manifest && !remotes) found = manifest->Match(NowNs(), &restamps);
  std::string as_fetched;  // a remote's answer, while the manifest is just that
  bool merged = false;
  if (!found && remotes) {
    for (LayeredStore::Fetched& remote : store_.FetchRemotes(direct_key)) {
      absl::StatusOr<Manifest> theirs = Manifest::FromEntry(remote.entry);
      if (!theirs.ok()) continue;
      const bool merging = manifest.has_value();
      if (!merging) {
        manifest = *std::move(theirs);
        as_fetched = std::move(remote.remote_bytes);
      } else {
        manifest->Merge(*theirs);
        as_fetched.clear();
        merged = true;
      }
      restamps = {};
      if ((found = manifest->Match(NowNs(), &restamps))) break;
      // The merge keeps only their newest sets: one of the others may match (kept remotely).
      if (merging && (found = theirs->Match())) break;
    }
  }
  if (!manifest) {
    if (explain_notes_.empty()) explain_notes_.emplace_back(kNoManifestNote);
    return std::nullopt;
  }
  // Kept here once: restamped where the lookup learned stamps (a remote's stamps are another
  // machine's, or older; the remotes keep theirs), else as it came.
  if (found && !restamps.empty()) {
    manifest->Restamp(restamps);
    merged = true;
  }
  if (merged) {
    if (absl::Status saved = store_.local().Save(direct_key, manifest->ToEntry()); !saved.ok()) {
      Log(absl::StrCat("manifest not kept locally: ", saved.message()));
    }
  } else if (!as_fetched.empty()) {
    if (absl::Status saved = store_.local().SaveBytes(direct_key, as_fetched); !saved.ok()) {
      Log(absl::StrCat("remote manifest not kept locally: ", saved.message()));
    }
  }
  if (!found) {
    std::optional<Mismatch> mismatch = manifest->NewestMismatch();
    explain_notes_.assign(1, mismatch ? DescribeMismatch(*mismatch)
                                      : "direct lookup: no recorded include set matches");
  }
  return found;
}

// Depend mode's include set, from the dependency file the compile wrote at `dep_file`, leading
// to the result key it makes. Best effort like RecordManifest.
std::optional<IncludeSet> CompilePipeline::DependIncludeSet(const std::string& dep_file,
                                                            const Entry& entry) {
  // With no preprocessed text, a time macro reached by token pasting shows only in what the
  // compile wrote. (A use folded into a constant does not show: docs/reliability.md.) A date,
  // shown there or named by a file, keeps the result to its day, as in direct mode.
  const IncludeSetOptions options =
      IncludeSetOptionsFor(compiler_, request_, config_.sloppy_time_macros, env_);
  for (const Blob& each : entry.blobs) {
    ExpandedTime expanded = FindExpandedTime(each.content);
    if (options.allowed != AllowedTimeMacros::kAll &&
        (expanded.time || expanded.timestamp ||
         (expanded.date && options.allowed == AllowedTimeMacros::kNone))) {
      NoteNoManifest(absl::StrCat("the ", blob::Describe(each.kind, each.name),
                                  " holds an expanded time macro"));
      return std::nullopt;
    }
    depend_date_ |= expanded.date && options.allowed == AllowedTimeMacros::kDateForItsDay;
  }
  // Read as the stored form reads it (ParseDepfile): a path it cannot read exactly, no set.
  absl::StatusOr<std::string> depfile = ReadFile(dep_file);
  absl::StatusOr<DepRule> rule =
      depfile.ok() ? ParseDepfile(*depfile, request_.dep_targets, *compiler_.family)
                   : depfile.status();
  if (rule.ok() && rule->prerequisites.empty()) {
    rule = absl::FailedPreconditionError("the rule names no file");
  }
  if (!rule.ok()) {
    NoteNoManifest(rule.status().message());
    return std::nullopt;
  }
  const std::vector<std::string>& files = rule->prerequisites;
  if (std::optional<NotCacheable> odd = CheckRegularFiles(files)) {
    NoteNoManifest(odd->detail);
    return std::nullopt;
  }
  // Read after the compile, a file whose stamps miss changes may not be what it read.
  for (const std::string& file : files) {
    if (!StampsShowChangesAt(file)) {
      NoteNoManifest(absl::StrCat(file, ": its file system's stamps miss changes (FUSE, SMB)"));
      return std::nullopt;
    }
  }
  absl::StatusOr<SearchPath> search = ProbeSearchPath();
  bool date_macro = false;
  absl::StatusOr<IncludeSet> set =
      search.ok() ? RecordDependIncludeSet(request_.source, files, *search, options, paths_,
                                           IncludeSetBuilder(start_ns_, NowNs()), &date_macro)
                  : search.status();
  depend_date_ |= date_macro && options.allowed == AllowedTimeMacros::kDateForItsDay;
  // The compile expanded __DATE__ at some moment of its run: one that spans midnight may have
  // written either day.
  if (set.ok() && depend_date_ && DateMacroExpansion(start_ns_) != DateMacroExpansion(NowNs())) {
    set = absl::FailedPreconditionError("the compile ran over midnight and expands __DATE__");
  }
  if (!set.ok()) {
    NoteNoManifest(set.status().message());
    return std::nullopt;
  }
  set->result = KeyMaker::DependResultKey(scope_.ManifestKey(*direct_key_), *set, Transcript());
  WriteTranscript();
  return *std::move(set);
}

// Adds this compile's include set to the manifest under the direct key, so that the next
// compile of the same source finds `result_key` without preprocessing. Best effort: a compile
// whose include set cannot be trusted just goes without.
void CompilePipeline::RecordManifest(const Digest& result_key) {
  if (!direct_key_) return;
  absl::StatusOr<IncludeSet> set = TextIncludeSet(result_key);
  // The set holds the files as they are now: only the very files the key was read from may lead
  // to it (a directory swapped meanwhile leaves each file's own stamps old).
  if (absl::Status same = SameInputFiles(); set.ok() && !same.ok()) set = same;
  if (absl::Status same = SameSearchDirectories(); set.ok() && !same.ok()) set = same;
  SaveOrNote(std::move(set));
}

void CompilePipeline::SaveOrNote(absl::StatusOr<IncludeSet> set) {
  if (set.ok()) {
    SaveManifest(*std::move(set));
  } else {
    NoteNoManifest(set.status().message());
  }
}

// The include set of the files that the preprocessed text shows were read, leading to
// `result_key` (see RecordIncludeSet for its two kinds of failure).
absl::StatusOr<IncludeSet> CompilePipeline::TextIncludeSet(const Digest& result_key) {
  // The manifest leads to the key shared by every directory; TryServe redirects from there.
  const Digest& leads_to = scope_.LeadsTo(result_key);
  absl::StatusOr<SearchPath> search = ProbeSearchPath();
  // Without the search path the places searched cannot be checked: nothing is stored.
  if (!search.ok()) {
    return absl::AbortedError(absl::StrCat("inputs not checked: ", search.status().message()));
  }
  return RecordIncludeSet(
      request_.source, includes_, expanded_time_, *search,
      IncludeSetOptionsFor(compiler_, request_, config_.sloppy_time_macros, env_), paths_,
      IncludeSetBuilder(start_ns_, NowNs()), leads_to);
}

void CompilePipeline::NoteNoManifest(absl::string_view why) {
  Log(absl::StrCat("no manifest for ", request_.source, ": ", why));
  explain_notes_.push_back(absl::StrCat("no manifest recorded: ", why));
}

void CompilePipeline::SaveManifest(IncludeSet set) {
  const Digest manifest_key = scope_.ManifestKey(*direct_key_);
  Manifest manifest;
  if (absl::StatusOr<Entry> old = store_.Load(manifest_key); old.ok()) {
    manifest = Manifest::FromEntry(*old).value_or(Manifest());
  }
  manifest.Add(std::move(set));
  if (absl::Status saved = store_.Save(manifest_key, manifest.ToEntry()); !saved.ok()) {
    tally_.errors.push_back(ErrorKind::kCacheWriteFailed);
    Log(absl::StrCat("manifest not stored: ", saved.message()));
  }
}

// A precompiled header gcc may read in place of a header of the preprocessed text.
std::optional<std::string> CompilePipeline::PrecompiledHeaderInUse() {
  if (compiler_.family != Family::kGcc) return std::nullopt;
  absl::StatusOr<SearchPath> search = ProbeSearchPath();
  if (!search.ok()) return "a .gch (the search path is unknown)";
  return FindPrecompiledHeader(includes_, *search);
}

// The compiler's header search path for this compile, from `-E -v` on an empty input, with its
// macros (-dM). Every unit of a target shares it, so it is memoised in the store while its
// directories hold.
absl::StatusOr<SearchPath> CompilePipeline::ProbeSearchPath() {
  // Asked before the key is made and again as the include set is recorded: loaded once.
  if (!search_path_) search_path_ = LoadOrProbeSearchPath();
  return *search_path_;
}

absl::StatusOr<SearchPath> CompilePipeline::LoadOrProbeSearchPath() {
  if (ReadsSourceAsIs(request_.language)) return SearchPath();  // nothing preprocessed, searched
  absl::StatusOr<Digest> key = keys_.SearchPathKey();
  if (!key.ok()) return key.status();
  if (absl::StatusOr<Entry> memo = store_.Load(*key); memo.ok()) {
    const std::string* text = memo->Find(blob::kSearchPathListing);
    const std::string* predefined = memo->Find(blob::kPredefinedMacros);
    absl::StatusOr<SearchPath> search =
        text && predefined ? ParseSearchPath(*text) : absl::DataLossError("no search path");
    if (search.ok() && SearchPathHolds(*search)) {
      search->predefined = *predefined;
      return search;
    }
  } else if (absl::IsDataLoss(memo.status())) {
    Discard(*key, memo.status().message());
  }
  std::vector<std::string> argv = {compiler_.path, "-E", "-v", "-dM"};
  for (size_t i = 0; i < request_.preprocess_args.size(); ++i) {
    if (i != request_.source_index) {
      argv.push_back(request_.preprocess_args[i]);
    } else {
      argv.insert(argv.end(), {"-x", request_.language, "/dev/null"});
    }
  }
  // Its headings read in C's words (LANGUAGE=de would translate them even with LANG=C.UTF-8).
  absl::StatusOr<ProcessResult> probe = RunAside(argv, {"LC_ALL=C"});
  if (!probe.ok()) return probe.status();
  if (probe->exit_code != 0) return absl::FailedPreconditionError("the search path probe failed");
  absl::StatusOr<SearchPath> search = ParseSearchPath(probe->err);
  if (search.ok()) {
    search->predefined = probe->out;
    Entry memo;
    memo.Add(blob::kSearchPathListing, probe->err);
    memo.Add(blob::kPredefinedMacros, probe->out);
    if (absl::Status saved = store_.Save(*key, memo); !saved.ok()) {
      Log(absl::StrCat("search path not memoised: ", saved.message()));
    }
  }
  return search;
}

}  // namespace ddcc
