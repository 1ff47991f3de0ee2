// Whether a compile's outputs may be written the way ddcc writes them: replaced by rename, on a
// hit without the compiler running at all.
#pragma once

#include <optional>

#include "launcher/args.h"

namespace ddcc {

// Not cacheable when an output (object, dependency file, any file written beside the object) is
// not a regular file (rename must never replace /dev/null or a pipe), or is an input, however
// spelt: `gcc -c x.c -o x.c` fails and leaves x.c alone, a hit would overwrite it.
std::optional<NotCacheable> CheckOutputs(const CompileRequest& request);

}  // namespace ddcc
