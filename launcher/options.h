// The gcc/clang option table: how each option takes its argument and what it means for caching.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "launcher/args.h"

namespace ddcc {

// How an option takes its argument.
enum class OptArg : uint8_t {
  kNone,              // matched exactly: -c
  kJoined,            // matched as a prefix, value joined: -std=c11; also option families: -fdump-
  kSeparate,          // matched exactly, value in the next argument: -Xlinker x
  kJoinedOrSeparate,  // -Ifoo, or -I foo
};

// What an option means for caching. Unknown single-dash options are kCompile.
enum class OptKind : uint8_t {
  kCompile,          // may change the object or diagnostics: hashed, and kept for preprocessing
  kPreprocessor,     // only changes preprocessing, which the preprocessed text covers
  kIncludeDir,       // kPreprocessor, and a directory where -include may find a precompiled header
  kInclude,          // -include: kPreprocessor, unless a precompiled header would be used
  kUnsupported,      // extra outputs, inputs ddcc cannot see, plugins, ...: not cacheable
  kInfo,             // prints something instead of (or as well as) compiling: --version, -v
  kCompileOnly,      // -c
  kPreprocessOnly,   // -E, -M, -MM
  kAssembleOnly,     // -S
  kOutput,           // -o
  kLanguage,         // -x
  kDepGenerate,      // -MD, -MMD
  kDepFlag,          // -MP
  kDepFile,          // -MF
  kDepTarget,        // -MT
  kDepQuotedTarget,  // -MQ
  kExtraInput,       // kCompile, and the value names a file whose content matters
  kDebug,            // -g...: kCompile, and may turn debug info on or off
  kColor,            // kCompile, and the user chose diagnostics colour
  kArch,             // -arch: kCompile, and more than one is not cacheable
  kEmitLlvm,         // -emit-llvm: kCompile, but clang names the default output .bc
  kAuxOutput,        // kCompile, and writes a file named after the object (.dwo, .gcno, .su)
  kProfileUse,       // kCompile, and reads a profile: gcc's .gcda beside the object, clang's file
  kWp,               // -Wp,... and -Xpreprocessor: depends on what it passes
  kWa,               // -Wa,...: depends on what it passes
  kMllvm,            // -mllvm: kCompile, unless it names a file
  kResourceDir,      // -resource-dir: kCompile, and clang reads the sanitizers' lists there
  kXclang,           // -Xclang: kCompile for what cc1 takes as the driver would, else not
};

struct OptionSpec {
  absl::string_view name;
  OptArg arg;
  OptKind kind;
  uint8_t families;  // bit 1 << Family; most options mean the same for both
};

// The spec for `arg`, an argument starting with '-': an exact match first, else the longest
// prefix among joined options. nullptr if the option is unknown.
const OptionSpec* FindOption(Family family, absl::string_view arg);

// Options whose object depends on the names of the source and headers (CompileRequest's
// names_files): -fsanitize= and profile instrumentation name them; the others match patterns
// against them (gcc's lists and regular expressions, clang's lists' src: entries).
bool NamesFiles(absl::string_view arg);

// Why `args` (a call's, response files expanded; `source` as given) make the object or the
// messages name the working directory, or files by absolute paths, -g or not: "" when no option
// does. (Debug information, and gcc's offloading in depend mode, are the key's to weigh.)
std::string OptionsNameCwd(Family family, const std::vector<std::string>& args,
                           absl::string_view source);

}  // namespace ddcc
