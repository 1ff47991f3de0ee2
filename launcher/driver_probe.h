// What the driver will do that neither the arguments nor the compiler's identity show, asked of
// the driver itself (-###), and only where an option or variable makes it matter, so that the
// common compile runs nothing more.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "launcher/args.h"
#include "launcher/compiler.h"
#include "launcher/config.h"

namespace ddcc {

struct DriverFacts {
  // With -march=native, -mtune=native or -mcpu=native: the driver's -### listing for them on
  // this host, which holds what they expand to (gcc's cc1 options, clang's -target-cpu and
  // -target-feature), so that a shared cache serves no other CPU's code. Else empty.
  std::string native_expansion;
  // With -B, --gcc-toolchain, COMPILER_PATH or GCC_EXEC_PREFIX: each program the driver will run
  // for this command line (cc1, as ...), as "path identity". Else none.
  std::vector<std::string> programs;
  // For a compiler known by asking it (Compiler::probed, a wrapper perhaps): its -### listing
  // for this command line, temporary names blanked (WithoutTemporaryNames), and the identity of
  // each program the listing names; which holds the compiler the wrapper runs and every option
  // it adds, from its environment or its files as much as from its own text. Else empty.
  std::string wrapped;
  // For a gcc a wrapper runs, what the options it adds make the object name where the user's
  // do not, which the listing does not show: why they name the working directory (-g, -flto);
  // whether they name files as the line markers do (-fsanitize=: CompileRequest::names_files);
  // whether they may offload (-fopenmp, -fopenacc).
  std::string wrapper_names_cwd;
  bool wrapper_names_files = false;
  bool wrapper_offloads = false;
  // The assembler gcc runs (clang too, without its integrated one): the first `as` on PATH,
  // as "path identity", or "absent". Which one is in no argument. Else empty.
  std::string assembler;
  // gcc searches <prefix>include, <prefix>include-fixed and their <machine>/ and
  // <machine>/<version>/ forms for each -B prefix and COMPILER_PATH directory, where that
  // directory exists: each as "<dir> present" or "<dir> absent", since one made later would come
  // first in the search without showing in a direct key.
  std::vector<std::string> prefix_includes;
  // For gcc (not a wrapper, whose listing shows what it read): the specs files it may read from
  // -B prefixes, LIBRARY_PATH, LPATH and GCC_EXEC_PREFIX (GccSpecsFiles). Else none.
  std::vector<std::string> gcc_specs_files;
  // For clang (not a wrapper, whose listing shows the search path it builds): what is at each
  // place its driver looks when it builds the header search path (ClangSearchPlaces).
  std::vector<std::string> clang_search_places;
  // For clang called by a prefixed name: the config files it reads (ClangConfigFiles).
  std::vector<std::string> clang_config_files;

  bool operator==(const DriverFacts&) const = default;
};

// A -### listing with the names of temporary files blanked, which change at every run (gcc's
// `<tmp>/ccXXXXXX.s`, clang's `<tmp>/<stem>-XXXXXX.s`); `temp_dirs` are where they may be.
std::string WithoutTemporaryNames(absl::string_view listing,
                                  const std::vector<std::string>& temp_dirs);

// How ddcc asks a gcc a wrapper runs for its environment: `gcc ... -wrapper ddcc,<this>` makes
// gcc run `ddcc <this> cc1 ...`, which writes the variables gcc and cc1 read (launcher/main.cc
// calls PrintCompileEnvironmentAndRun) and runs cc1.
inline constexpr char kCompileEnvironmentCommand[] = "--compile-environment";

// Writes to stderr, one "ddcc-environment: NAME=VALUE" line each, the variables of this process
// that gcc and its cc1 read, then runs `argv`. Returns only when it cannot be run.
int PrintCompileEnvironmentAndRun(const std::vector<std::string>& argv);

absl::StatusOr<DriverFacts> ProbeDriver(const Compiler& compiler, const CompileRequest& request,
                                        const Config& config, const EnvLookup& env);

}  // namespace ddcc
