// `#pragma GCC dependency "file"` makes gcc and clang warn when the file is newer than the
// source: a message that depends on file times, which no key holds.
#pragma once

#include "absl/strings/string_view.h"

namespace ddcc {

// Whether a raw source or header may hold the pragma (or _Pragma of it): "dependency" after
// "GCC" or "clang", with only space, spliced lines and comments between, or before a file's
// name (GCC spelled through a macro), or between names where a macro may pass them on (in
// arguments, or a #define's body).
bool NamesPragmaDependency(absl::string_view text);

}  // namespace ddcc
