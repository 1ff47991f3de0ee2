#include "launcher/driver_probe.h"

#include <cstdlib>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "launcher/process.h"

namespace ddcc {
namespace {

bool IsNative(absl::string_view arg) {
  return arg == "-march=native" || arg == "-mtune=native" || arg == "-mcpu=native";
}

// Whether the driver may run programs from elsewhere than its own installation.
bool ProgramsFromElsewhere(const CompileRequest& request, const EnvLookup& env) {
  if (env("COMPILER_PATH") != nullptr || env("GCC_EXEC_PREFIX") != nullptr) {
    return true;
  }
  for (const std::string& arg : request.hashed_args) {
    if (absl::StartsWith(arg, "-B") || absl::StartsWith(arg, "--gcc-toolchain") ||
        arg == "-gcc-toolchain") {
      return true;
    }
  }
  return false;
}

absl::StatusOr<std::string> DriverListing(const Compiler& compiler,
                                          const std::vector<std::string>& args) {
  std::vector<std::string> argv = {compiler.path, "-###"};
  argv.insert(argv.end(), args.begin(), args.end());
  absl::StatusOr<ProcessResult> run = RunCaptured(argv);
  if (!run.ok()) return run.status();
  if (run->exit_code != 0 || run->term_signal != 0) {
    return absl::FailedPreconditionError("the driver's -### failed");
  }
  return std::move(run->err);
}

// The program of each command in a -### listing: the lines that begin with a space, their
// first word (gcc writes it bare, clang quoted).
std::vector<std::string> ProgramsIn(absl::string_view listing) {
  std::vector<std::string> programs;
  for (absl::string_view line : absl::StrSplit(listing, '\n')) {
    if (!absl::ConsumePrefix(&line, " ") || line.empty()) continue;
    if (absl::ConsumePrefix(&line, "\"")) {
      programs.emplace_back(line.substr(0, line.find('"')));
    } else {
      programs.emplace_back(line.substr(0, line.find(' ')));
    }
  }
  return programs;
}

}  // namespace

absl::StatusOr<DriverFacts> ProbeDriver(const Compiler& compiler, const CompileRequest& request,
                                        const Config& config, const EnvLookup& env) {
  DriverFacts facts;
  std::vector<std::string> native;
  for (const std::string& arg : request.hashed_args) {
    if (IsNative(arg)) native.push_back(arg);
  }
  if (!native.empty()) {
    native.insert(native.begin(), {"-E", "-x", "c", "/dev/null"});
    absl::StatusOr<std::string> listing = DriverListing(compiler, native);
    if (!listing.ok()) return listing.status();
    facts.native_expansion = *std::move(listing);
  }
  if (!ProgramsFromElsewhere(request, env)) return facts;
  absl::StatusOr<std::string> listing = DriverListing(compiler, request.expanded_args);
  if (!listing.ok()) return listing.status();
  for (const std::string& name : ProgramsIn(*listing)) {
    // A bare name is run from PATH.
    absl::StatusOr<Compiler> program = FindCompiler(name, env);
    absl::StatusOr<Digest> identity =
        program.ok() ? CompilerIdentity(*program, config) : program.status();
    if (!identity.ok()) return identity.status();
    facts.programs.push_back(absl::StrCat(program->path, " ", identity->Hex()));
  }
  return facts;
}

}  // namespace ddcc
