// A dependency file names the source and headers as the compiler found them: with absolute
// arguments (CMake passes them all), by the absolute paths of one tree. To serve a second
// checkout from the same entry, and compiles to other objects (its targets), the entry keeps
// the file's prerequisites with every path below a base directory made relative to the working
// directory; a hit puts this tree's paths and this compile's targets in, and lays the words out
// again as gcc or clang does (launcher/depfile_layout.h).
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "launcher/args.h"
#include "launcher/paths.h"

namespace ddcc {

// The portable form of `depfile`, which `family` wrote for `targets` in the working directory
// of `paths`. FailedPrecondition when ParseDepfile refuses it, or it names a file below a base
// directory that cannot be made relative exactly.
absl::StatusOr<std::string> MakePortableDepfile(absl::string_view depfile,
                                                const std::vector<std::string>& targets,
                                                Family family, const PathRewriter& paths);

// The dependency file `family` would write for `targets` in `cwd` (absolute, plainly spelled)
// for the portable form `portable`. DataLoss when `portable` is malformed.
absl::StatusOr<std::string> RestoreDepfile(absl::string_view portable,
                                           const std::vector<std::string>& targets, Family family,
                                           absl::string_view cwd);

}  // namespace ddcc
