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
};

absl::StatusOr<DriverFacts> ProbeDriver(const Compiler& compiler, const CompileRequest& request,
                                        const Config& config, const EnvLookup& env);

}  // namespace ddcc
