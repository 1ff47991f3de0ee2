// Which real compiler a call means: found on PATH (never ddcc itself), its family, its identity.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "cache/util/hash.h"
#include "launcher/args.h"
#include "launcher/config.h"

namespace ddcc {

struct Compiler {
  std::string path;              // what to run; also its argv[0], which clang reads for its mode
  std::string name;              // the basename as invoked: "gcc", "clang++", "rustc"
  std::optional<Family> family;  // gcc or clang; unset for rustc and compilers passed through
  bool rustc = false;            // cached by launcher/rustc_pipeline
  // A gcc or clang known by asking it (AnswersAsGccOrClang), not by its name: perhaps a wrapper
  // that adds options or picks the compiler it runs.
  bool probed = false;
  // Run before the compiler for the compile itself (prefix_command: distcc, icecc); paths.
  std::vector<std::string> prefix = {};
};

// `name_or_path` as given to ddcc (a name is looked up on PATH). Any candidate that is a ddcc
// (this binary, one that ran it, a symlink to a file named ddcc) is skipped, so masquerading
// symlinks never run themselves or each other; a path to a ddcc is taken as its name.
absl::StatusOr<Compiler> FindCompiler(absl::string_view name_or_path, const EnvLookup& env);

// prefix_command's words as paths: a word without a slash is looked up on PATH.
absl::StatusOr<std::vector<std::string>> FindPrefixCommand(const std::vector<std::string>& words,
                                                           const EnvLookup& env);

// What runs the compiler for the compile itself: its prefix command, then it, with `args`.
std::vector<std::string> CommandLine(const Compiler& compiler,
                                     const std::vector<std::string>& args);

// Adds this binary to the ddccs that the compilers it runs will skip (DDCC_CHAIN): another
// ddcc install found as the compiler then looks past both.
void PassOnChain(const EnvLookup& env);

// gcc, g++, cc, c++, clang, clang++ with an optional target prefix and version suffix
// (x86_64-linux-gnu-gcc-12, clang++-14). cc and c++ are judged by what they resolve to, and gcc
// and g++ that resolve to a clang are clang; a file that is no ELF binary (a script) is none: a
// wrapper, known by asking it.
std::optional<Family> DetectFamily(absl::string_view name, const std::string& path);

// The compiler binary's stamp: its real path, size and mtime.
absl::StatusOr<Digest> CompilerStamp(const Compiler& compiler);

// What ddcc learned of a compiler, kept under the cache directory by a name made of its stamp;
// nullopt when there is none.
std::optional<std::string> ReadCompilerMemo(const Config& config, absl::string_view name);
void WriteCompilerMemo(const Config& config, absl::string_view name, absl::string_view text);

// Identifies the compiler binary for keys: its real path, size and mtime; with
// compiler_check=content, the hash of its content, memoised on disk under the cache directory
// by (path, size, mtime) so that it is computed once per compiler install.
absl::StatusOr<Digest> CompilerIdentity(const Compiler& compiler, const Config& config);

}  // namespace ddcc
