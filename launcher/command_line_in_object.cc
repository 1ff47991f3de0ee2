#include "launcher/command_line_in_object.h"

#include <vector>

#include "absl/strings/match.h"

namespace ddcc {
namespace {

// The target triple the arguments give, else the one a prefixed name gives
// (x86_64-pc-windows-msvc-clang), else "".
std::string TargetTriple(const Compiler& compiler, const std::vector<std::string>& args) {
  std::string triple;
  for (size_t i = 0; i < args.size(); ++i) {
    if (absl::StartsWith(args[i], "--target=")) triple = args[i].substr(9);
    if ((args[i] == "-target" || args[i] == "--target") && i + 1 < args.size()) {
      triple = args[++i];
    }
  }
  if (triple.empty()) {
    size_t dash = compiler.name.rfind('-');
    if (dash != std::string::npos) triple = compiler.name.substr(0, dash);
  }
  return triple;
}

}  // namespace

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
