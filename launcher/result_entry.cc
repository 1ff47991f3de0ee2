#include "launcher/result_entry.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "cache/bytes.h"
#include "cache/files.h"
#include "cache/log.h"
#include "launcher/debug_dir.h"
#include "launcher/depfile.h"
#include "launcher/portable_depfile.h"

namespace ddcc {
namespace {

constexpr absl::string_view kObjectBlob = "object";
constexpr absl::string_view kDepfileBlob = "depfile";
// The dependency file in its portable form (launcher/portable_depfile.h), instead of the above.
constexpr absl::string_view kPortableDepfileBlob = "depfile, relative below base directories";
constexpr absl::string_view kStdoutBlob = "stdout";
constexpr absl::string_view kStderrBlob = "stderr";
constexpr absl::string_view kAuxBlobPrefix = "beside the object: ";  // + ".dwo", ...
constexpr absl::string_view kCompileTimeBlob = "compile_ns";         // how long the compile took
// Where the object was made, when a hit in another directory renames it (launcher/debug_dir.h).
constexpr absl::string_view kObjectDirBlob = "working directory the object names";

bool AllPlain(const std::vector<std::string>& targets) {
  for (const std::string& target : targets) {
    if (!IsPlainTarget(target)) return false;
  }
  return true;
}

}  // namespace

absl::StatusOr<Entry> ResultEntries::Make(const ProcessResult& compiled,
                                          const CompileOutputs& outputs, int64_t began_ns,
                                          int64_t compile_ns, bool movable_object,
                                          bool input_names_cwd) const {
  absl::StatusOr<std::string> object = ReadFile(outputs.object());
  if (!object.ok()) return object.status();
  Entry entry;
  entry.blobs.emplace_back(kObjectBlob, *std::move(object));
  if (request_.generates_deps) {
    absl::StatusOr<std::string> depfile = ReadFile(outputs.dep_file());
    if (!depfile.ok()) return depfile.status();
    // The hit path will put other targets of the same lengths in place of these; make sure
    // the file is laid out as it expects.
    if (AllPlain(request_.dep_targets)) {
      absl::StatusOr<std::string> same = ReplaceDepTargets(*depfile, request_.dep_targets);
      if (!same.ok()) return same.status();
      if (*same != *depfile) {
        return absl::FailedPreconditionError("dependency file names other targets");
      }
    }
    // Another tree may share this entry where the file names this one's paths.
    absl::StatusOr<std::string> portable =
        paths_.active() && paths_.NamesBaseDir(*depfile)
            ? MakePortableDepfile(*depfile, family_, paths_)
            : absl::FailedPreconditionError("names no base directory");
    if (portable.ok()) {
      entry.blobs.emplace_back(kPortableDepfileBlob, *std::move(portable));
    } else {
      entry.blobs.emplace_back(kDepfileBlob, *std::move(depfile));
    }
  }
  for (const auto& [suffix, path] : request_.aux_outputs) {
    // Only what this compile wrote: a file left by an earlier one is not part of the result.
    absl::StatusOr<FileStamp> stamp = StampFile(path);
    if (!stamp.ok() || stamp->ctime_ns < began_ns - kFileClockSlackNs) continue;
    absl::StatusOr<std::string> content = ReadFile(path);
    if (!content.ok()) return content.status();
    entry.blobs.emplace_back(absl::StrCat(kAuxBlobPrefix, suffix), *std::move(content));
  }
  entry.blobs.emplace_back(kStdoutBlob, compiled.out);
  entry.blobs.emplace_back(kStderrBlob, compiled.err);
  std::string time;
  AppendInteger(time, compile_ns, 8);
  entry.blobs.emplace_back(kCompileTimeBlob, time);
  if (movable_object) {
    // Without it, the pipeline keeps the entry to this directory. Nothing the compiler read may
    // name the directory, nor anything it wrote but the object.
    absl::Status movable = CheckMovableObject(*entry.Find(kObjectBlob), paths_.cwd());
    for (const auto& [name, content] : entry.blobs) {
      if (name != kObjectBlob && absl::StrContains(content, paths_.cwd())) {
        movable = absl::FailedPreconditionError(absl::StrCat("the ", name, " names it"));
      }
    }
    if (input_names_cwd) movable = absl::FailedPreconditionError("what the compiler read names it");
    if (movable.ok()) entry.blobs.emplace_back(kObjectDirBlob, paths_.cwd());
    if (!movable.ok()) Log(absl::StrCat("object kept to ", paths_.cwd(), ": ", movable.message()));
  }
  return entry;
}

absl::StatusOr<ProcessResult> ResultEntries::Serve(const Entry& entry) const {
  const std::string* object = entry.Find(kObjectBlob);
  const std::string* out = entry.Find(kStdoutBlob);
  const std::string* err = entry.Find(kStderrBlob);
  const std::string* depfile = entry.Find(kDepfileBlob);
  const std::string* portable_depfile = entry.Find(kPortableDepfileBlob);
  if (!object || !out || !err || (request_.generates_deps && !depfile && !portable_depfile)) {
    return absl::DataLossError("entry lacks an output this compile needs");
  }
  std::string moved;
  if (const std::string* made_in = entry.Find(kObjectDirBlob);
      made_in && *made_in != paths_.cwd()) {
    absl::StatusOr<std::string> renamed = MoveObject(*object, *made_in, paths_.cwd());
    if (!renamed.ok()) return renamed.status();
    moved = *std::move(renamed);
    object = &moved;
  }
  if (request_.generates_deps) {
    std::string content;
    if (depfile) {
      content = *depfile;
    } else {
      absl::StatusOr<std::string> restored =
          RestoreDepfile(*portable_depfile, family_, paths_.cwd());
      if (!restored.ok()) return restored.status();
      content = *std::move(restored);
    }
    if (AllPlain(request_.dep_targets)) {
      absl::StatusOr<std::string> replaced = ReplaceDepTargets(content, request_.dep_targets);
      if (!replaced.ok()) return absl::DataLossError(replaced.status().message());
      content = *std::move(replaced);
    }
    if (absl::Status written = WriteFileAtomic(request_.dep_file, content); !written.ok()) {
      return written;
    }
  }
  for (const auto& [suffix, path] : request_.aux_outputs) {
    const std::string* content = entry.Find(absl::StrCat(kAuxBlobPrefix, suffix));
    if (!content) continue;  // the compile did not write it (clang's .dwo needs -g)
    if (absl::Status written = WriteFileAtomic(path, *content); !written.ok()) return written;
  }
  if (absl::Status written = WriteFileAtomic(request_.object, *object); !written.ok()) {
    return written;
  }
  return ProcessResult{.exit_code = 0, .term_signal = 0, .out = *out, .err = *err};
}

bool ResultEntries::NamesBaseDirBesideObject(const Entry& entry) const {
  if (!paths_.active()) return false;
  for (const auto& [name, content] : entry.blobs) {
    if (name != kObjectBlob && name != kCompileTimeBlob && name != kObjectDirBlob &&
        paths_.NamesBaseDir(content)) {
      return true;
    }
  }
  return false;
}

bool ResultEntries::RecordsObjectDir(const Entry& entry) {
  return entry.Find(kObjectDirBlob) != nullptr;
}

std::optional<int64_t> ResultEntries::CompileTimeNs(const Entry& entry) {
  const std::string* compile_ns = entry.Find(kCompileTimeBlob);
  if (!compile_ns || compile_ns->size() != 8) return std::nullopt;
  return IntegerAt(*compile_ns, 0, 8);
}

}  // namespace ddcc
