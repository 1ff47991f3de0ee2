// Where a miss's compile writes its outputs. Left to write where the build asked, the compiler
// would share those paths with anything else writing them (a second build in the same tree, a
// killed ddcc's compiler still running), and ddcc, reading them back to store them, could store
// a torn or foreign file. So the compiler writes to private temporary paths beside the real
// ones; ddcc stores what it wrote there and renames the files into place.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "cache/util/signal_cleanup.h"
#include "launcher/args.h"

namespace ddcc {

class CompileOutputs {
 public:
  // Private paths when the compile's bytes do not depend on the object's name, the real ones
  // otherwise (see CanRedirect in outputs.cc).
  explicit CompileOutputs(const CompileRequest& request);
  // Removes the private files not moved into place: a failed compile's.
  ~CompileOutputs();
  CompileOutputs(const CompileOutputs&) = delete;
  CompileOutputs& operator=(const CompileOutputs&) = delete;

  // The compiler's arguments (without argv[0]) writing to object() and dep_file().
  std::vector<std::string> CompilerArgs(const std::vector<std::string>& user_args) const;
  const std::string& object() const { return object_; }
  // Whether the compiler writes to private paths, not the build's.
  bool private_paths() const { return private_; }
  const std::string& dep_file() const { return dep_file_; }
  // Whether `text` (the compiler's messages) names a private path.
  bool NamedIn(absl::string_view text) const;

  // Renames the private files over the real ones, the dependency file first as a hit writes
  // them, then removes what killed ddccs left beside them long ago.
  absl::Status MoveIntoPlace();
  // After a failed compile: gcc and clang still leave the dependency file they wrote. Where
  // they wrote none, clang removes the build's (`removes_old`), gcc leaves it.
  absl::Status MoveDependencyFileIntoPlace(bool removes_old);
  // After a failed compile that wrote its object and failed later on: the object moves into
  // place, as the compiler would have left it there.
  absl::Status MoveObjectIntoPlace();

 private:
  const CompileRequest& request_;
  bool private_ = false;
  std::string object_;
  std::string dep_file_;
  // The private files, removed if ddcc is killed before they move into place.
  std::optional<RemovedOnSignal> object_on_signal_;
  std::optional<RemovedOnSignal> dep_file_on_signal_;
};

}  // namespace ddcc
