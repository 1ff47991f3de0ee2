// The gcc and clang compile's stages (launcher/pipeline.h), shared by the files that implement
// them: pipeline.cc (keys, lookups, the compile) and pipeline_manifests.cc (include sets and the
// manifests that record them).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "cache/layered_store.h"
#include "cache/store/entry.h"
#include "cache/store/include_set.h"
#include "cache/util/files.h"
#include "cache/util/hash.h"
#include "launcher/args.h"
#include "launcher/compile_listing.h"
#include "launcher/content_scan.h"
#include "launcher/dir_scope.h"
#include "launcher/expanded_time.h"
#include "launcher/includes.h"
#include "launcher/keys.h"
#include "launcher/paths.h"
#include "launcher/process.h"
#include "launcher/result_entry.h"
#include "launcher/stages.h"
#include "launcher/storage_helper.h"

namespace ddcc {

class CompilePipeline : public CachedCall {
 public:
  CompilePipeline(const CallContext& context, CompileRequest request, PathRewriter paths)
      : compiler_(context.compiler),
        args_(context.args),
        request_(std::move(request)),
        config_(context.config),
        paths_(std::move(paths)),
        tally_(context.tally),
        env_(context.env),
        store_(CompileStore(config_, env_, tally_)),
        keys_(compiler_, request_, config_, paths_, ColorDiagnostics(), env_),
        results_(request_, *compiler_.family, paths_),
        scope_(keys_, paths_, results_) {}

  std::optional<CompileOutcome> KeyCommandLine() override;
  std::optional<CompileOutcome> ServeDirect() override;
  std::variant<Digest, KeyAfterCompile, CompileOutcome> KeyInputs() override;
  std::optional<CompileOutcome> ServeResult(const Digest& key) override;
  CompileOutcome CompileAndStore(std::optional<Digest> key) override;
  void Record(const CompileOutcome& outcome) override;

 private:
  std::optional<NotCacheable> CheckCall() const;
  bool ColorDiagnostics() const;
  bool ColorTerminal() const;
  // The messages as the compiler would write them here; false where that cannot be told.
  bool ShowToUser(ProcessResult& result) const;
  std::optional<Digest> LookUpManifests();
  // `remotes`: where no local set matches, the remotes' manifests are asked too.
  std::optional<Digest> LookUpManifest(const Digest& direct_key, bool remotes);
  std::optional<CompileOutcome> TryServe(const Digest& key);
  std::optional<CompileOutcome> ServeEntry(const Digest& key, absl::StatusOr<Entry> entry);
  absl::StatusOr<ProcessResult> Preprocess();
  std::optional<NotCacheable> CheckPreprocessed(absl::string_view text) const;
  std::optional<IncludeSet> DependIncludeSet(const std::string& dep_file, const Entry& entry);
  void RecordManifest(const Digest& result_key);
  absl::StatusOr<IncludeSet> TextIncludeSet(const Digest& result_key);
  void SaveOrNote(absl::StatusOr<IncludeSet> set);
  void SaveManifest(IncludeSet set);
  void NoteNoManifest(absl::string_view why);
  absl::StatusOr<SearchPath> ProbeSearchPath();
  absl::StatusOr<SearchPath> LoadOrProbeSearchPath();
  std::optional<std::string> PrecompiledHeaderInUse();
  void Discard(const Digest& key, absl::string_view why);
  absl::Status SameFilesRead(const CompileListing& listing) const;
  void StampInputFiles(const std::vector<std::string>& files_read);
  absl::Status SameInputFiles() const;
  void StampSearchDirectories();
  absl::Status SameSearchDirectories() const;
  // Always written: --explain compares the last two compiles' transcripts.
  std::string* Transcript() { return &transcript_; }
  void WriteTranscript() const;

  const Compiler& compiler_;
  const std::vector<std::string>& args_;
  const CompileRequest request_;
  const Config& config_;
  const PathRewriter paths_;
  Tally& tally_;
  const EnvLookup& env_;
  LayeredStore store_;
  KeyMaker keys_;
  ResultEntry results_;
  DirScope scope_;

  const int64_t called_ns_ = NowNs();
  // Set as the stages run.
  int64_t start_ns_ = 0;
  bool inputs_reread_ = false;  // KeyInputs read them again, past a fresh header's stamp
  std::optional<Digest> direct_key_;
  ProcessResult preprocessed_;   // less the directive lines of -dI, which includes_ holds
  int64_t preprocessed_ns_ = 0;  // when the preprocessor had run
  PreprocessedIncludes includes_;
  std::vector<std::string> preprocessor_listed_;  // the files the run lists (CompileListing)
  // The stamps of FilesRead() before the key read them (a file's, through any links).
  std::vector<std::optional<FileStamp>> input_stamps_;
  // Their contents' digests, where their file system's stamps miss changes (sshfs keeps a
  // replaced file's inode, size and mtime); none elsewhere.
  std::vector<std::optional<Digest>> input_digests_;
  // The search directories and the source's, and their stamps before anything read a header
  // (StampSearchDirectories).
  std::vector<std::string> search_dirs_;
  std::vector<std::optional<FileStamp>> search_dir_stamps_;
  std::optional<absl::StatusOr<SearchPath>> search_path_;
  ExpandedTime expanded_time_;  // in the preprocessed text
  // Depend mode: a file names __DATE__, or the outputs show it expanded (DependIncludeSet).
  bool depend_date_ = false;
  std::string transcript_;  // the keys' inputs
  // For --explain: how a hit was found, and what the lookups learnt on the way.
  absl::string_view hit_kind_;
  std::vector<std::string> explain_notes_;
};

}  // namespace ddcc
