// Objects that hold the compile's whole command line: its -I and -D (keyed, but in key form below
// a base directory) and the paths ddcc adds or changes (a private object, a listing's file).
#pragma once

#include <optional>
#include <string>

#include "launcher/args.h"
#include "launcher/compiler.h"
#include "launcher/config.h"

namespace ddcc {

// Why the object of `request` holds its command line where no option of the options table says
// so: clang's CodeView debug info (-gcodeview, the default for an MSVC target), whose build
// record names the compiler's own command line, and RC_DEBUG_OPTIONS, which makes clang write
// its driver's command line into Mach-O debug info. nullopt where it does not.
std::optional<std::string> CommandLineInObject(const Compiler& compiler,
                                               const CompileRequest& request, const EnvLookup& env);

}  // namespace ddcc
