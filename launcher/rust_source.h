// Reading Rust source as far as ddcc needs to: which crates `extern crate` items name.
#pragma once

#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace ddcc {

// The crates `extern crate NAME` items in `source` name, in order, leaving out comments (doc
// comments' examples often hold one), string and character literals. `r#` raw identifiers are
// taken without their prefix.
std::vector<std::string> ExternCrateNames(absl::string_view source);

}  // namespace ddcc
