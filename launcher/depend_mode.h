// Depend mode (DDCC_DEPEND): where a compile writes a dependency file anyway, a direct-mode miss
// compiles at once and learns the include set from that file instead of from `cc -E`, saving the
// preprocessor run. Only a file that lists every header read will do.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "launcher/args.h"

namespace ddcc {

// Why this compile's dependency file cannot stand in for the preprocessor; nullopt when it can.
std::optional<std::string> DependModeRefusal(const CompileRequest& request);

// The files the first rule of a dependency file depends on, as the compiler spelled them.
// FailedPrecondition unless they are plain words: a Make-quoted path (a space, '$', '#') misread
// would leave a header unchecked.
absl::StatusOr<std::vector<std::string>> DepfilePrerequisites(absl::string_view depfile);

}  // namespace ddcc
