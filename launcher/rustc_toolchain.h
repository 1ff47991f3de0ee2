// What a rustc compile's result depends on in the toolchain: rustc's version, its binary, and
// the standard library it links the crate against.
#pragma once

#include <string>

#include "absl/status/status.h"
#include "cache/util/hash.h"
#include "launcher/compiler.h"
#include "launcher/config.h"
#include "launcher/rustc_args.h"

namespace ddcc {

// Adds the toolchain to `key`, and a line for each part to `transcript` ("label: value").
// rustc -vV is asked once for a toolchain's own rustc and its answer kept in the cache directory
// under the binary's stamp (rustc takes a tenth of a second to start); rustup's proxy is asked
// every time.
absl::Status HashRustToolchain(const Compiler& compiler, const RustcRequest& request,
                               const Config& config, Hasher& key, std::string& transcript);

}  // namespace ddcc
