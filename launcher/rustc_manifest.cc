#include "launcher/rustc_manifest.h"

#include <stdlib.h>
#include <unistd.h>

#include <string>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "cache/store/entry.h"
#include "cache/store/manifest.h"
#include "cache/util/files.h"
#include "cache/util/log.h"
#include "launcher/process.h"
#include "launcher/rustc_args.h"

namespace ddcc {
namespace {

// The other file rustc would take module file `path` from: `m/mod.rs` for `m.rs` and back.
std::string OtherModuleFile(absl::string_view path) {
  if (Basename(path) == "mod.rs") return absl::StrCat(DirectoryOf(path), ".rs");
  return absl::StrCat(path.substr(0, path.size() - 3), "/mod.rs");
}

}  // namespace

std::optional<DirectMatch> MatchRustcManifest(LayeredStore& store, const Digest& direct_key,
                                              bool& found) {
  found = false;
  absl::StatusOr<Entry> entry = store.Load(direct_key);
  if (!entry.ok()) return std::nullopt;
  absl::StatusOr<Manifest> manifest = Manifest::FromEntry(*entry);
  if (!manifest.ok()) {
    store.Remove(direct_key).IgnoreError();
    Log(absl::StrCat("removed manifest ", direct_key.Hex(), ": ", manifest.status().message()));
    return std::nullopt;
  }
  found = true;
  Manifest::Restamps restamps;
  std::optional<Digest> result = manifest->Match(NowNs(), &restamps);
  if (!result) return std::nullopt;
  DirectMatch match{*result, std::move(manifest->sets()[restamps.set].files)};
  if (!restamps.empty()) {
    // Stamps are this machine's: the remotes keep theirs.
    manifest->Restamp(restamps);
    store.local().Save(direct_key, manifest->ToEntry()).IgnoreError();  // spares later work
  }
  return match;
}

absl::Status RecordRustcManifest(LayeredStore& store, const Digest& direct_key, const DepInfo& info,
                                 const LinkedLibraries& linked, absl::string_view crate_root,
                                 const PathRewriter& paths, int64_t start_ns,
                                 const Digest& result) {
  IncludeSetBuilder builder(start_ns, NowNs());
  for (const std::string& file : linked.found) {
    if (absl::StatusOr<std::string> read = builder.AddFile(paths.Relative(file)); !read.ok()) {
      return read.status();
    }
  }
  for (const std::string& place : linked.absent) {
    absl::StatusOr<bool> exists = builder.AddCandidate(paths.Relative(place));
    if (!exists.ok()) return exists.status();
    if (*exists) return absl::FailedPreconditionError(absl::StrCat(place, " appeared"));
  }
  for (const std::string& file : info.files) {
    if (absl::StatusOr<std::string> read = builder.AddFile(paths.Relative(file)); !read.ok()) {
      return read.status();
    }
  }
  for (const std::string& file : info.files) {
    if (file == crate_root || !absl::EndsWith(file, ".rs")) continue;
    const std::string other = paths.Relative(OtherModuleFile(file));
    absl::StatusOr<bool> exists = builder.AddCandidate(other);
    if (!exists.ok()) return exists.status();
    if (*exists) {
      return absl::FailedPreconditionError(absl::StrCat(file, " and ", other, " both exist"));
    }
  }
  IncludeSet set = std::move(builder).Finish(result);
  Manifest manifest;
  if (absl::StatusOr<Entry> old = store.Load(direct_key); old.ok()) {
    manifest = Manifest::FromEntry(*old).value_or(Manifest());
  }
  manifest.Add(std::move(set));
  return store.Save(direct_key, manifest.ToEntry());
}

bool EnvironmentReadsTheSame(absl::string_view env_lines, const EnvLookup& env) {
  for (absl::string_view line : absl::StrSplit(env_lines, '\n', absl::SkipEmpty())) {
    if (!absl::ConsumePrefix(&line, "# env-dep:") || absl::StrContains(line, '\\')) return false;
    const size_t eq = line.find('=');
    const std::string name(line.substr(0, eq));
    const char* value = env(name.c_str());
    if (eq == absl::string_view::npos) {
      if (value != nullptr) return false;
      continue;
    }
    if (value == nullptr || line.substr(eq + 1) != value) return false;
    if (absl::string_view(value).find_first_of("\\\n\r") != absl::string_view::npos) return false;
  }
  return true;
}

std::variant<DepInfo, CompileOutcome> RunDepInfoPass(const std::string& rustc,
                                                     const std::vector<std::string>& args,
                                                     const EnvLookup& env) {
  const char* tmp = env("TMPDIR");
  std::string dir = absl::StrCat(tmp && *tmp ? tmp : "/tmp", "/ddcc-rustc-XXXXXX");
  if (mkdtemp(dir.data()) == nullptr) {
    return CompileOutcome(Failure{ErrorKind::kInternal, ErrnoStatus("mkdtemp", dir)});
  }
  const std::string dep_file = absl::StrCat(dir, "/deps.d");
  std::vector<std::string> argv = {rustc};
  for (std::string& arg : DepInfoArgs(args, dep_file)) argv.push_back(std::move(arg));
  absl::StatusOr<ProcessResult> listed = RunAside(argv);
  absl::StatusOr<std::string> text = ReadFile(dep_file);
  unlink(dep_file.c_str());
  rmdir(dir.c_str());
  if (!listed.ok()) return CompileOutcome(Failure{ErrorKind::kInternal, listed.status()});
  if (listed->exit_code != 0 || listed->term_signal != 0) {
    // The compile itself will fail the same way, in its own words.
    return CompileOutcome(NotCacheable{Uncacheable::kPreprocessorFailed, "rustc's dep-info pass"});
  }
  if (!text.ok()) return CompileOutcome(Failure{ErrorKind::kInternal, text.status()});
  absl::StatusOr<DepInfo> info = ParseDepInfo(*text, dep_file);
  if (!info.ok()) {
    return CompileOutcome(
        NotCacheable{Uncacheable::kUnsupportedCodeDirective, std::string(info.status().message())});
  }
  return *std::move(info);
}

}  // namespace ddcc
