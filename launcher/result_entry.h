// The store entry holding one compile's result: the object, the dependency file, the files beside
// the object, the captured streams and how long the compile took, each a named blob. Made from
// what the compiler wrote on a miss; written back on a hit as the compiler would write it now.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "cache/store/entry.h"
#include "launcher/args.h"
#include "launcher/outputs.h"
#include "launcher/paths.h"
#include "launcher/process.h"

namespace ddcc {

// Whether a hit in another directory may rename the working directory in the object.
enum class ObjectDirMove {
  kNever,          // the keys hold the directory
  kIfOnlyObject,   // they hold only its length (KeyMaker::MovesDebugDirectory): the entry records
                   // where it was made when nothing else it holds names that directory
  kNamedByInputs,  // as kIfOnlyObject, but what the compiler read names it, which rules it out
};

class ResultEntry {
 public:
  ResultEntry(const CompileRequest& request, Family family, const PathRewriter& paths)
      : request_(request), family_(family), paths_(paths) {}

  // The entry from what the compile wrote to `outputs`.
  absl::StatusOr<Entry> Make(const ProcessResult& compiled, const CompileOutputs& outputs,
                             int64_t began_ns, int64_t compile_ns, ObjectDirMove move) const;

  // Writes the stored outputs as the compiler would have. DataLoss when the entry lacks a part;
  // an error that IsMismatch when it does not fit this compile (a dependency file stored as
  // written, for targets of other lengths), before writing anything.
  absl::StatusOr<ProcessResult> Serve(const Entry& entry) const;
  // A mismatch is a miss: this compile's result then replaces the entry.
  static bool IsMismatch(const absl::Status& status);

  // Makes the entry fit only compiles on the day whose __DATE__ is `date` (DateMacroExpansion):
  // the compiler would write another date on another day.
  static void KeepToDay(Entry& entry, std::string date);

  // Whether a blob other than the object names a base directory: the compiler names files as the
  // command line and line markers spell them.
  bool NamesBaseDirBesideObject(const Entry& entry) const;
  // Whether the object names a path below a base directory that `text`, the keyed
  // preprocessed text, does not hold outside its line markers, and where a hit elsewhere would
  // not rename it: one the compiler wrote from a line marker, which the key holds relative, so
  // that in another tree it is another path (clang's names of lambdas and unnamed structs, its
  // OpenMP location strings). A path the text holds (assert()'s __FILE__ of a source named by
  // its absolute path) is in the key as it is; with `markers_keyed` (ResultKeyInfo's
  // markers_as_written), so are the markers' paths.
  bool ObjectNamesTree(const Entry& entry, absl::string_view text, bool markers_keyed) const;
  // Whether the entry says which directory its object names, so a hit elsewhere can rename it.
  static bool RecordsObjectDir(const Entry& entry);
  static std::optional<int64_t> CompileTimeNs(const Entry& entry);

 private:
  const CompileRequest& request_;
  Family family_;
  const PathRewriter& paths_;
};

}  // namespace ddcc
