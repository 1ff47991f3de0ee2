#include "launcher/command_line_in_object.h"

#include <vector>

#include "absl/strings/match.h"
#include "launcher/target_triple.h"

namespace ddcc {
std::optional<std::string> CommandLineInObject(const Compiler& compiler,
                                               const CompileRequest& request,
                                               const EnvLookup& env) {
  if (compiler.family != Family::kClang || !request.debug_info) return std::nullopt;
  const std::string triple = TargetTriple(compiler, request.expanded_args);
  // Windows targets other than MinGW's write CodeView by default (a "-windows" triple's
  // environment is MSVC's).
  const bool windows = absl::StrContains(triple, "windows") || absl::StrContains(triple, "win32");
  const bool codeview_default =
      windows && !absl::StrContains(triple, "gnu") && !absl::StrContains(triple, "cygnus");
  for (const std::string& arg : request.expanded_args) {
    if (arg == "-gcodeview") return "CodeView debug info (-gcodeview) records the command line";
  }
  if (codeview_default) {
    return "CodeView debug info (the default for " + triple + ") records the command line";
  }
  // Only Apple's build system sets it, and any Mach-O target honours it.
  const char* rc_debug_options = env("RC_DEBUG_OPTIONS");
  if (rc_debug_options && *rc_debug_options) {
    return "RC_DEBUG_OPTIONS makes clang record its command line in Mach-O debug info";
  }
  return std::nullopt;
}

}  // namespace ddcc
