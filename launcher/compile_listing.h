// The files the compile itself opens, as the compiler lists them while it runs. The key was made
// from the preprocessor's run before: a header that appeared for the compile only (made and
// removed around it, or one moved between the two runs) would leave an object that the key does
// not describe. Checked against the files that run read, such a compile is not stored.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "cache/util/signal_cleanup.h"
#include "launcher/args.h"
#include "launcher/compiler.h"

namespace ddcc {

class CompileListing {
 public:
  // For the compile, where it writes a dependency file (`dep_file`, the build's or a private
  // one): that file. Otherwise, and for the preprocessor's run (`dep_file` null), a private file
  // beside the object, where the compiler can be told without changing what it writes or
  // prints: gcc's SUNPRO_DEPENDENCIES; for clang's preprocessor run, -MD (ddcc's own run: its
  // arguments reach no object), which lists a header skipped by its guard under the name this
  // #include found it by, as the compile's dependency file and debug info do; for clang's
  // compile CC_PRINT_HEADERS (with no -H, which it would send there, nor -Xclang,
  // -Xpreprocessor or -Wp, which may ask for a dependency file that its -sys-header-deps would
  // change), which lists only the headers entered. None for a source read as it is.
  CompileListing(Family family, const CompileRequest& request, const std::string* dep_file);
  ~CompileListing();
  CompileListing(const CompileListing&) = delete;
  CompileListing& operator=(const CompileListing&) = delete;

  // "NAME=value" entries for the run's environment, and arguments to add to its command line.
  const std::vector<std::string>& environment() const { return environment_; }
  const std::vector<std::string>& arguments() const { return arguments_; }

  // After the run: the files it lists; none where there is no listing, or the compiler wrote
  // none (it preprocessed nothing, or is not the one it seemed).
  absl::StatusOr<std::vector<std::string>> Read() const;

  // Whether the listing names every file a dependency file does (not the build's -MMD file,
  // which leaves out system headers, nor clang's CC_PRINT_HEADERS, guarded headers skipped).
  bool complete() const { return complete_; }

  // The names of `listed` that are none of `seen`'s, as `family`'s listings spell them.
  static std::vector<std::string> NamesNotAmong(Family family,
                                                const std::vector<std::string>& listed,
                                                const std::vector<std::string>& seen);

  // The first file of `listed` that is none of `seen` (however either spells it).
  std::optional<std::string> FirstUnseen(const std::vector<std::string>& listed,
                                         const std::vector<std::string>& seen) const;

 private:
  const Family family_;
  std::vector<std::string> targets_;  // of the dependency file
  bool complete_ = true;
  std::string path_;           // where the listing is written; "" for none
  bool private_file_ = false;  // path_ is ddcc's own file, removed after the run
  std::optional<RemovedOnSignal> removed_on_signal_;
  bool header_lines_ = false;  // CC_PRINT_HEADERS's form: a path a line
  std::vector<std::string> environment_;
  std::vector<std::string> arguments_;
};

}  // namespace ddcc
