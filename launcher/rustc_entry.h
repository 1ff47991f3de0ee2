// How a rustc call's outputs are kept in an entry and laid out again on a hit: the files it
// writes into --out-dir by name, its messages, how long it took, the environment it read, and,
// where the outputs name a base directory, the tree they were made in. Below base directories
// the dependency-info file and artifact notices are kept relocatable (rustc_outputs.h).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "cache/store/entry.h"
#include "launcher/paths.h"
#include "launcher/rustc_args.h"

namespace ddcc {

// What a compile produced, read back from where rustc wrote it.
struct RustcProduced {
  std::string out;
  std::string err;
  int64_t compile_ns = 0;
  std::string env_lines;  // what the crate read, one per line
};

// The entry for `produced` and the files rustc wrote into request.out_dir; `made_in` names the
// tree (working and output directories), kept where an output names a base directory.
absl::StatusOr<Entry> RustcEntry(const RustcRequest& request, const RustcProduced& produced,
                                 const PathRewriter& paths, absl::string_view made_in);

// A blob as this call writes it: as the entry holds it, or relocated here.
struct RustcRestoredText {
  const std::string* stored = nullptr;
  std::optional<std::string> relocated;
  const std::string& text() const { return relocated ? *relocated : *stored; }
};

// The outputs of an entry as this call writes them; they point into the entry.
struct RustcRestored {
  std::vector<std::pair<std::string, RustcRestoredText>> files;  // path in --out-dir, content
  RustcRestoredText out;
  RustcRestoredText err;
};

// The entry's outputs laid out for `request` in `cwd`; none where one is missing or cannot be
// relocated exactly (the entry is then damaged).
std::optional<RustcRestored> RestoreRustcEntry(const Entry& entry, const RustcRequest& request,
                                               absl::string_view cwd);

}  // namespace ddcc
