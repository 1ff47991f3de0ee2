// A dependency file names the source and headers as the compiler found them: with absolute
// arguments (CMake passes them all), by the absolute paths of one tree. To serve a second
// checkout from the same entry, the entry keeps the file's words with every path below a base
// directory made relative to the working directory; a hit puts this tree's paths back and lays
// the words out again as gcc or clang does, whose line breaks depend on the words' lengths.
// A file is made portable only when laying out its own words gives it back byte for byte.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "launcher/args.h"
#include "launcher/paths.h"

namespace ddcc {

// The portable form of `depfile`, which `family` wrote in the working directory of `paths`.
// FailedPrecondition when it is not laid out as that compiler lays out plain words (one rule,
// optionally -MP's phony targets), or names a file below a base directory that cannot be made
// relative exactly.
absl::StatusOr<std::string> MakePortableDepfile(absl::string_view depfile, Family family,
                                                const PathRewriter& paths);

// The dependency file `family` would write in `cwd` (absolute, plainly spelled) for the
// portable form `portable`. DataLoss when `portable` is malformed.
absl::StatusOr<std::string> RestoreDepfile(absl::string_view portable, Family family,
                                           absl::string_view cwd);

}  // namespace ddcc
