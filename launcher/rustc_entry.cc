#include "launcher/rustc_entry.h"

#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "cache/util/files.h"
#include "launcher/blob_kind.h"
#include "launcher/rustc_outputs.h"

namespace ddcc {
namespace {

// The kind a blob of `kind` is stored as where it is kept relocatable (rustc_outputs.h).
BlobKind RelocatableKind(BlobKind kind) {
  if (kind == blob::kStdout) return blob::kRelocatableStdout;
  if (kind == blob::kStderr) return blob::kRelocatableStderr;
  return blob::kRelocatableCrateOutput;
}

}  // namespace

absl::StatusOr<Entry> RustcEntry(const RustcRequest& request, const RustcProduced& produced,
                                 const PathRewriter& paths, absl::string_view made_in) {
  Entry entry;
  // Below base directories the key leaves out where the outputs go, which the dependency-info
  // file and artifact notices name: they are kept relocatable. An entry whose outputs name a
  // base directory still serves only where it was made.
  bool names_tree = false;
  auto add = [&](BlobKind kind, std::string name, std::string content, bool dep_info) {
    if (paths.active()) {
      std::optional<std::string> relocatable =
          dep_info ? RelocatableDepInfo(content, request.out_dir, paths)
                   : RelocatableMessages(content, request.out_dir);
      if (relocatable) {
        kind = RelocatableKind(kind);
        content = *std::move(relocatable);
      }
      names_tree = names_tree || paths.NamesBaseDir(content);
    }
    entry.Add(kind, std::move(name), std::move(content));
  };
  for (const std::string& name : request.OutputNames()) {
    absl::StatusOr<std::string> output = ReadFile(absl::StrCat(request.out_dir, "/", name));
    if (!output.ok()) return output.status();
    const bool dep_info = absl::EndsWith(name, ".d");
    add(blob::kCrateOutput, name, *std::move(output), dep_info);
  }
  add(blob::kStdout, "", produced.out, false);
  add(blob::kStderr, "", produced.err, false);
  entry.Add(blob::kCompileTime, absl::StrCat(produced.compile_ns));
  entry.Add(blob::kEnvironmentRead, produced.env_lines);
  if (names_tree) entry.Add(blob::kMadeIn, std::string(made_in));
  return entry;
}

std::optional<RustcRestored> RestoreRustcEntry(const Entry& entry, const RustcRequest& request,
                                               absl::string_view cwd) {
  bool complete = true;
  auto restore = [&](BlobKind kind, absl::string_view name) {
    RustcRestoredText restored;
    if (const std::string* relocatable = entry.Find(RelocatableKind(kind), name)) {
      restored.relocated = Relocated(*relocatable, request.out_dir, cwd);
      complete = complete && restored.relocated;
    } else {
      restored.stored = entry.Find(kind, name);
      complete = complete && restored.stored;
    }
    return restored;
  };
  RustcRestored restored;
  for (const std::string& name : request.OutputNames()) {
    restored.files.emplace_back(absl::StrCat(request.out_dir, "/", name),
                                restore(blob::kCrateOutput, name));
  }
  restored.out = restore(blob::kStdout, "");
  restored.err = restore(blob::kStderr, "");
  if (!complete) return std::nullopt;
  return restored;
}

}  // namespace ddcc
