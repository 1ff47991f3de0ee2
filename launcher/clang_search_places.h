// clang's driver builds the header search path from what exists where it looks: the newest GCC
// installation under its prefixes gives the libstdc++ headers, a multiarch include directory
// is searched only where present, libc++ where found; and `-v` names none of the places it
// found empty (gcc's "ignoring nonexistent directory" has no such gap). A key that holds these
// places changes when one of them does.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "launcher/args.h"
#include "launcher/compiler.h"

namespace ddcc {

// What is at each place clang's driver looks when it builds the search path for `request`, one
// line each: a directory's names, "absent", or which crtbegin.o files a GCC version holds (clang
// takes a GCC only with one). Places are named from their root ("sysroot/usr", "installation"),
// not by absolute path: a sysroot below a base directory moves with its tree.
std::vector<std::string> ClangSearchPlaces(const Compiler& compiler, const CompileRequest& request);

// clang called by a name with a target prefix (x86_64-linux-gnu-clang++) reads options from
// `<prefix>-<mode>.cfg`, else `<prefix>.cfg`, beside its binary (first under the name of an
// architecture an option switches it to: i386-linux-gnu-clang.cfg for -m32), and says so only in
// -v: each as "path digest" or "path absent". None for other names.
absl::StatusOr<std::vector<std::string>> ClangConfigFiles(const Compiler& compiler,
                                                          const CompileRequest& request);

// The first word of a config file clang would read (ClangConfigFiles) that is no option ddcc
// knows to change only what the key holds (the target, sysroot, search directories, macros,
// warnings, optimisation, the machine): one that may make the object name the working
// directory (-g) or write files ddcc does not know of (-MD). None where every word is one.
std::optional<std::string> ConfigOptionNotKnown(const Compiler& compiler,
                                                const CompileRequest& request);

}  // namespace ddcc
