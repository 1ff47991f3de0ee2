// What a compile reads that its preprocessed text does not show, as the include set and the
// result key must cover it: each compiler's rules for time macros and precompiled headers, the
// files options name, and the bytes of the files the text comes from.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "launcher/args.h"
#include "launcher/compiler.h"
#include "launcher/includes.h"
#include "launcher/outcome.h"

namespace ddcc {

// `sloppy_time_macros`: the user allows time macros (sloppiness = time_macros).
IncludeSetOptions IncludeSetOptionsFor(const Compiler& compiler, const CompileRequest& request,
                                       bool sloppy_time_macros, const EnvLookup& env);

// Whether what the time macros give needs no keeping to its day: gcc takes it from
// SOURCE_DATE_EPOCH, whose value the preprocessed text then holds, or the user said it does not
// matter (sloppiness).
bool ClockKeyed(const Compiler& compiler, bool sloppy_time_macros, const EnvLookup& env);

// The source, every header the text shows and every file a #line names (absent ones too),
// whose bytes the result key holds besides the text:
// the compiler reads the files, not the text, and what the text drops still reaches its output.
// Comments silence warnings (`/* FALLTHRU */`) or are checked (clang's -Wdocumentation), columns
// go into debug info, diagnostics and `__builtin_COLUMN()`, tabs into -Wmisleading-indentation,
// whether tokens came from a macro into warnings, and clang's debug info holds each file's MD5.
std::vector<std::string> FilesRead(const CompileRequest& request,
                                   const PreprocessedIncludes& includes);

// Not cacheable where a file the compile read is no regular file (/dev/stdin, a FIFO): ddcc
// reading it to hash it would take what the compiler reads, or wait for a writer.
std::optional<NotCacheable> CheckRegularFiles(const std::vector<std::string>& files);

}  // namespace ddcc
