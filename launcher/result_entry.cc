#include "launcher/result_entry.h"

#include "absl/container/flat_hash_set.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "cache/util/bytes.h"
#include "cache/util/files.h"
#include "cache/util/log.h"
#include "launcher/blob_kind.h"
#include "launcher/content_scan.h"
#include "launcher/debug_dir.h"
#include "launcher/depfile.h"
#include "launcher/expanded_time.h"
#include "launcher/preprocessor_output.h"

namespace ddcc {
namespace {

// Marks Serve's error for an entry that does not fit this compile.
constexpr absl::string_view kMismatchPayload = "ddcc/entry-does-not-fit";

}  // namespace

absl::StatusOr<Entry> ResultEntry::Make(const ProcessResult& compiled,
                                        const CompileOutputs& outputs, int64_t began_ns,
                                        int64_t compile_ns, ObjectDirMove move) const {
  absl::StatusOr<std::string> object = ReadFile(outputs.object());
  if (!object.ok()) return object.status();
  Entry entry;
  entry.Add(blob::kObject, *std::move(object));
  if (request_.generates_deps) {
    absl::StatusOr<std::string> depfile = ReadFile(outputs.dep_file());
    if (!depfile.ok()) return depfile.status();
    // A hit lays this compile's targets out as the compiler would: check that it did.
    if (!absl::StartsWith(*depfile, LayOutTargets(request_.dep_targets, family_))) {
      return absl::FailedPreconditionError("dependency file names other targets");
    }
    absl::StatusOr<std::string> portable =
        MakePortableDepfile(*depfile, request_.dep_targets, family_, paths_);
    if (portable.ok()) {
      entry.Add(blob::kPortableDepfile, *std::move(portable));
    } else {
      Log(absl::StrCat("dependency file kept as written: ", portable.status().message()));
      entry.Add(blob::kDepfile, *std::move(depfile));
      entry.Add(blob::kDepfileTargets, TargetLengths(request_.dep_targets));
    }
  }
  for (const auto& [suffix, path] : request_.aux_outputs) {
    // Only what this compile wrote: a file left by an earlier one is not part of the result.
    absl::StatusOr<FileStamp> stamp = StampFile(path);
    if (!stamp.ok() || LastChangeNs(*stamp, NowNs()) < began_ns - FileClockSlackNs()) continue;
    absl::StatusOr<std::string> content = ReadFile(path);
    if (!content.ok()) return content.status();
    entry.Add(blob::kBesideObject, suffix, *std::move(content));
  }
  entry.Add(blob::kStdout, compiled.out);
  entry.Add(blob::kStderr, compiled.err);
  std::string time;
  AppendInteger(time, compile_ns, 8);
  entry.Add(blob::kCompileTime, time);
  if (move != ObjectDirMove::kNever) {
    // Without it, the pipeline keeps the entry to this directory. Nothing the compiler read may
    // name the directory, nor anything it wrote but the object.
    absl::Status movable = CheckMovableObject(*entry.Find(blob::kObject), paths_.cwd());
    for (const Blob& each : entry.blobs) {
      if (each.kind != blob::kObject && absl::StrContains(each.content, paths_.cwd())) {
        movable = absl::FailedPreconditionError(
            absl::StrCat("the ", blob::Describe(each.kind, each.name), " names it"));
      }
    }
    if (move == ObjectDirMove::kNamedByInputs)
      movable = absl::FailedPreconditionError("what the compiler read names it");
    if (movable.ok()) entry.Add(blob::kObjectDir, paths_.cwd());
    if (!movable.ok()) Log(absl::StrCat("object kept to ", paths_.cwd(), ": ", movable.message()));
  }
  return entry;
}

absl::StatusOr<ProcessResult> ResultEntry::Serve(const Entry& entry) const {
  const std::string* object = entry.Find(blob::kObject);
  const std::string* out = entry.Find(blob::kStdout);
  const std::string* err = entry.Find(blob::kStderr);
  const std::string* depfile = entry.Find(blob::kDepfile);
  const std::string* portable_depfile = entry.Find(blob::kPortableDepfile);
  if (!object || !out || !err || (request_.generates_deps && !depfile && !portable_depfile)) {
    return absl::DataLossError("entry lacks an output this compile needs");
  }
  if (const std::string* day = entry.Find(blob::kDay)) {
    if (std::string today = DateMacroExpansion(NowNs()); *day != today) {
      absl::Status mismatch = absl::FailedPreconditionError(
          absl::StrCat("made with __DATE__ ", *day, ", which is now ", today));
      mismatch.SetPayload(kMismatchPayload, absl::Cord());
      return mismatch;
    }
  }
  std::string moved;
  if (const std::string* made_in = entry.Find(blob::kObjectDir);
      made_in && *made_in != paths_.cwd()) {
    absl::StatusOr<std::string> renamed = MoveObject(*object, *made_in, paths_.cwd());
    if (!renamed.ok()) return renamed.status();
    moved = *std::move(renamed);
    object = &moved;
  }
  if (request_.generates_deps) {
    const std::string* lengths = entry.Find(blob::kDepfileTargets);
    absl::StatusOr<std::string> content =
        portable_depfile
            ? RestoreDepfile(*portable_depfile, request_.dep_targets, family_, paths_.cwd())
        : lengths ? ReplaceDepTargets(*depfile, *lengths, request_.dep_targets, family_)
                  : absl::DataLossError("entry lacks its dependency file's target lengths");
    if (absl::IsFailedPrecondition(content.status())) {
      absl::Status mismatch = content.status();
      mismatch.SetPayload(kMismatchPayload, absl::Cord());
      return mismatch;
    }
    if (!content.ok()) return content.status();
    if (absl::Status written = WriteFileAtomic(request_.dep_file, *content); !written.ok()) {
      return written;
    }
  }
  for (const auto& [suffix, path] : request_.aux_outputs) {
    const std::string* content = entry.Find(blob::kBesideObject, suffix);
    if (!content) continue;  // the compile did not write it (clang's .dwo needs -g)
    if (absl::Status written = WriteFileAtomic(path, *content); !written.ok()) return written;
  }
  if (absl::Status written = WriteFileAtomic(request_.object, *object); !written.ok()) {
    return written;
  }
  return ProcessResult{.exit_code = 0, .term_signal = 0, .out = *out, .err = *err};
}

bool ResultEntry::NamesBaseDirBesideObject(const Entry& entry) const {
  if (!paths_.active()) return false;
  for (const Blob& each : entry.blobs) {
    // The portable dependency file holds every path below a base directory in its relative
    // form, whatever its text holds (CMake names objects after absolute paths).
    if (each.kind != blob::kObject && each.kind != blob::kCompileTime &&
        each.kind != blob::kObjectDir && each.kind != blob::kPortableDepfile &&
        paths_.NamesBaseDir(each.content)) {
      return true;
    }
  }
  return false;
}

bool ResultEntry::ObjectNamesTree(const Entry& entry, absl::string_view text,
                                  bool markers_keyed) const {
  const std::string* object = entry.Find(blob::kObject);
  if (!paths_.active() || !object) return false;
  const absl::string_view bytes = *object;
  // The directory a hit renames (CheckMovableObject found it only in debug information).
  const std::string* renamed = entry.Find(blob::kObjectDir);
  absl::flat_hash_set<absl::string_view> in_text;  // each found once: texts run to megabytes
  for (const std::string& base : paths_.base_dirs()) {
    for (size_t at = bytes.find(base); at != absl::string_view::npos;
         at = bytes.find(base, at + 1)) {
      if (renamed && absl::StartsWith(bytes.substr(at), *renamed)) continue;
      // The path as far as the strings that name one in an object go: "(lambda at /t/h.h:2:5)",
      // OpenMP's ";/t/m.c;main;3;1;;", __builtin_FILE's "/t/m.c".
      const size_t end = bytes.find_first_of(absl::string_view("\0\"':;)\n", 7), at);
      const absl::string_view path = bytes.substr(at, end - at);
      if (in_text.contains(path)) continue;
      if (markers_keyed ? !absl::StrContains(text, path) : !TextNamesOutsideMarkers(text, path)) {
        return true;
      }
      in_text.insert(path);
    }
  }
  return false;
}

bool ResultEntry::IsMismatch(const absl::Status& status) {
  return status.GetPayload(kMismatchPayload).has_value();
}

void ResultEntry::KeepToDay(Entry& entry, std::string date) {
  entry.Add(blob::kDay, std::move(date));
}

bool ResultEntry::RecordsObjectDir(const Entry& entry) {
  return entry.Find(blob::kObjectDir) != nullptr;
}

std::optional<int64_t> ResultEntry::CompileTimeNs(const Entry& entry) {
  const std::string* compile_ns = entry.Find(blob::kCompileTime);
  if (!compile_ns || compile_ns->size() != 8) return std::nullopt;
  return IntegerAt(*compile_ns, 0, 8);
}

}  // namespace ddcc
