// What a compile reads that its preprocessed text does not show, as the include set and the
// result key must cover it: each compiler's rules for time macros and precompiled headers, the
// files options name, and the files whose content the object records.
#pragma once

#include <string>
#include <vector>

#include "launcher/args.h"
#include "launcher/compiler.h"
#include "launcher/includes.h"

namespace ddcc {

// `sloppy_time_macros`: the user allows time macros (sloppiness = time_macros).
IncludeSetOptions IncludeSetOptionsFor(const Compiler& compiler, const CompileRequest& request,
                                       bool sloppy_time_macros, const EnvLookup& env);

// The files whose content the object records besides what the text shows: clang's debug info
// holds the MD5 of each file it read, comments and all.
std::vector<std::string> FilesInDebugInfo(const Compiler& compiler, const CompileRequest& request,
                                          const PreprocessedIncludes& includes);

}  // namespace ddcc
