// What a -g option does to the debug information, which names the working directory.
#pragma once

#include "absl/strings/string_view.h"

namespace ddcc {

// Applies a -g option (`v` is what follows "-g") to the debug-info flag. Only options checked
// against gcc 12 and clang 14 leave the flag alone or turn it off; any other turns it on, which
// at worst hashes the working directory needlessly.
void ApplyDebugOption(absl::string_view v, bool* debug_info);

}  // namespace ddcc
