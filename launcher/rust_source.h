// Reading Rust source as far as ddcc needs to: which crates `extern crate` items name, and
// whether rustc would look one up by itself.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "launcher/rustc_args.h"

namespace ddcc {

// The crates `extern crate NAME` items in `source` name, in order, leaving out comments (doc
// comments' examples often hold one), string and character literals. `r#` raw identifiers are
// taken without their prefix. A macro's `$name`, and `extern` beginning no item (a token a macro
// may assemble into one), come as names that begin with '$'.
std::vector<std::string> ExternCrateNames(absl::string_view source);

// The first `extern crate` in `source` that names a crate neither --extern nor the toolchain
// gives, and that rustc could find in a -L directory, which a key does not hold. One that no -L
// directory holds either is behind a #[cfg] that is off (libc's for building std), or the
// compile fails.
std::optional<std::string> CrateFoundBySearch(absl::string_view source,
                                              const RustcRequest& request);

// The native libraries `#[link(name = "...", kind = "static")]` attributes in `source` bundle into
// the crate (not those with the -bundle modifier), which rustc finds in the -L native directories
// and neither dep-info nor the command line names; an attribute may be behind a #[cfg_attr] that
// is off. An error where an attribute's name or kind is not a plain string literal
// (a macro's `$name`).
absl::StatusOr<std::vector<std::string>> StaticLinkNames(absl::string_view source);

}  // namespace ddcc
