// rustc command lines: which calls ddcc caches, and what they name. Cached are library crates
// (--crate-type lib or rlib) as cargo compiles them: one source, --crate-name, --out-dir, and
// outputs among dep-info, metadata and link. Everything else (binaries, proc-macros, dylibs,
// incremental compiles, -Z options, cargo's probes) runs as is: a binary or a dylib is linked
// against the system, and an incremental compile keeps state outside its outputs.
#pragma once

#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/strings/string_view.h"
#include "launcher/outcome.h"
#include "launcher/paths.h"

namespace ddcc {

struct RustcRequest {
  std::string source;  // the crate root, as given
  std::string crate_name;
  std::string out_dir;
  std::string extra_filename;              // -C extra-filename
  std::vector<std::string> emit;           // among dep-info, metadata, link
  std::vector<std::string> externs;        // the crate files --extern names
  std::vector<std::string> extern_names;   // and their names in the code
  std::vector<std::string> static_libs;    // -l static=NAME: bundled into the crate
  std::vector<std::string> native_dirs;    // where rustc looks for them (-L native= and all=)
  std::vector<std::string> crate_dirs;     // where it looks for crates (-L of other kinds)
  std::vector<std::string> profile_files;  // -C profile-use=FILE: the code is optimised by it
  bool host_cpu = false;                   // -C target-cpu=native: code for this machine's CPU
  std::string target;                      // --target, or empty for the host
  std::string sysroot;                     // --sysroot, or empty for rustc's own
  // --remap-path-prefix FROM=TO, in the order given: rustc applies the last that matches.
  std::vector<std::pair<std::string, std::string>> remaps;
  bool color_chosen = false;  // --color or --error-format given: rustc's colour is not its own pick

  // The files rustc writes into out_dir, by name.
  std::vector<std::string> OutputNames() const;
};

using ParsedRustcArgs = std::variant<RustcRequest, NotCacheable>;

ParsedRustcArgs ParseRustcArgs(const std::vector<std::string>& args);

// What a path on rustc's command line is to the outputs.
enum class RustcPath {
  kLocation,   // where rustc writes or finds files (--out-dir, -L, --extern): not recorded in them
  kName,       // a name rustc records: the source
  kRemapFrom,  // FROM in --remap-path-prefix FROM=TO: a prefix of names rustc records
};

// `args` as a key holds them: each path in --out-dir, -L, --extern, the source and FROM in
// --remap-path-prefix FROM=TO replaced by `path_in_key(path, use)`. For `args` ParseRustcArgs
// accepted.
std::vector<std::string> KeyArguments(
    const std::vector<std::string>& args,
    absl::FunctionRef<std::string(absl::string_view, RustcPath)> path_in_key);

// `args` with the outputs replaced: only the dependency information, written to `dep_file`.
std::vector<std::string> DepInfoArgs(const std::vector<std::string>& args,
                                     const std::string& dep_file);

// cargo's variables (the package's name, version, manifest directory, ...), which env!() and
// build scripts read, as "NAME=VALUE" in order; not CARGO_MAKEFLAGS, which names the jobserver,
// different in every build; RUSTC_LOG*, which makes rustc log to stderr; and
// RUSTC_FORCE_RUSTC_VERSION and RUSTC_OVERRIDE_VERSION_STRING, the version the crate's metadata
// holds (with RUSTC_BOOTSTRAP). A path below a base
// directory is relative (CARGO_MANIFEST_DIR): env!() reads are keyed by value apart; but a
// proc-macro (a .so) may read any variable unseen, so with one the values are as they are.
std::vector<std::string> CargoVariables(const RustcRequest& request, const PathRewriter& paths);

}  // namespace ddcc
