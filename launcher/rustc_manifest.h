// Direct lookups for rustc. Under a key of everything the command line and the environment say
// (with the --extern crates' contents), a manifest (cache/store/manifest.h) lists the files the
// crate's earlier compiles read, as their dependency-info files named them, each set leading to
// its result key: a hit checks those files by stamp and needs no dep-info pass.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "cache/layered_store.h"
#include "cache/store/include_set.h"
#include "cache/util/hash.h"
#include "launcher/config.h"
#include "launcher/paths.h"
#include "launcher/rustc_outputs.h"
#include "launcher/stages.h"

namespace ddcc {

struct DirectMatch {
  Digest result;
  std::vector<RecordedFile> files;  // the set that matched
};

// What the manifest under `direct_key` says; `found` tells whether there is one (a damaged one
// is removed, and is none).
std::optional<DirectMatch> MatchRustcManifest(LayeredStore& store, const Digest& direct_key,
                                              bool& found);

// Adds the files `info` lists and the native libraries the sources' #[link] attributes bundle
// (and the absence of each where rustc looked for it in vain),
// read as they are now (none may have changed since `start_ns`, when rustc began reading them),
// as a set leading to `result`; with each module file, the absence of its other spelling (`m.rs`
// and `m/mod.rs`: rustc refuses a module with both). Paths below a base directory are kept
// relative to the working directory.
struct LinkedLibraries {
  std::vector<std::string> found;   // the static libraries #[link] attributes bundle
  std::vector<std::string> absent;  // the places rustc looked for them before, or in vain
};

absl::Status RecordRustcManifest(LayeredStore& store, const Digest& direct_key, const DepInfo& info,
                                 const LinkedLibraries& linked, absl::string_view crate_root,
                                 const PathRewriter& paths, int64_t start_ns, const Digest& result);

// Whether the environment still gives each variable what `env_lines` ("# env-dep:" lines, one
// per line) say the crate read. False for a value rustc would have escaped (a backslash, a
// newline), which is then compared by the dep-info pass instead.
bool EnvironmentReadsTheSame(absl::string_view env_lines, const EnvLookup& env);

// Runs `rustc` with `args` for its dependency-info file alone: what the crate reads; an outcome
// where it fails or says what ddcc cannot key.
std::variant<DepInfo, CompileOutcome> RunDepInfoPass(const std::string& rustc,
                                                     const std::vector<std::string>& args,
                                                     const EnvLookup& env);

}  // namespace ddcc
