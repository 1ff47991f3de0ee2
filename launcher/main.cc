// ddcc: a compiler cache. Decides what kind of call this is, and how to fall back: whatever goes
// wrong inside ddcc, the real compiler runs as if ddcc were not there.
#include <limits.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "cache/util/files.h"
#include "cache/util/log.h"
#include "launcher/args.h"
#include "launcher/cli.h"
#include "launcher/compiler.h"
#include "launcher/compiler_probe.h"
#include "launcher/config.h"
#include "launcher/driver_probe.h"
#include "launcher/explain.h"
#include "launcher/process.h"
#include "launcher/stages.h"
#include "launcher/stats.h"

namespace ddcc {
namespace {

// As a shell and env(1) exit where a program cannot be run: 126 for one that may not be, 127
// for one that is not there.
int ExitCodeFor(const absl::Status& not_run) {
  return absl::IsPermissionDenied(not_run) ? 126 : 127;
}

[[noreturn]] void RunAsIs(const Compiler& compiler, const std::vector<std::string>& args) {
  absl::Status status = ExecReplace(CommandLine(compiler, args));
  std::fprintf(stderr, "ddcc: cannot run %s: %s\n", compiler.path.c_str(),
               std::string(status.message()).c_str());
  _exit(ExitCodeFor(status));
}

// The compiler's result through the cache, or nullopt to run it as is; what happened goes
// to `tally` and, where the call is not cached, to the log.
std::optional<ProcessResult> CompileCall(const Compiler& compiler,
                                         const std::vector<std::string>& args, const Config& config,
                                         const EnvLookup& env, Tally& tally) {
  const int64_t called_ns = NowNs();
  ParsedCall parsed = ParseCall({compiler, args, config, env, tally});
  if (auto* not_cacheable = std::get_if<NotCacheable>(&parsed)) {
    // The stages record the calls they take; these they never see.
    CallFacts call;
    call.started_ns = called_ns;
    if (char cwd[PATH_MAX]; getcwd(cwd, sizeof(cwd)) != nullptr) call.cwd = cwd;
    if (const char* build_id = env("DDCC_BUILD_ID")) call.build_id = build_id;
    RecordUncachedCall(config, args, DescribeOutcome(*not_cacheable, ""), std::move(call));
  }
  CompileOutcome outcome = std::holds_alternative<NotCacheable>(parsed)
                               ? CompileOutcome(std::get<NotCacheable>(parsed))
                           : std::holds_alternative<Failure>(parsed)
                               ? CompileOutcome(std::get<Failure>(parsed))
                               : RunStages(*std::get<std::unique_ptr<CachedCall>>(parsed));
  if (auto* result = std::get_if<ProcessResult>(&outcome)) return std::move(*result);
  if (auto* not_cacheable = std::get_if<NotCacheable>(&outcome)) {
    tally.uncacheable = not_cacheable->reason;
    Log(absl::StrCat("not cacheable (", LabelOf(not_cacheable->reason).key,
                     "): ", not_cacheable->detail));
  } else {
    const Failure& failure = std::get<Failure>(outcome);
    tally.errors.push_back(failure.kind);
    Log(absl::StrCat("error (", LabelOf(failure.kind).key,
                     "), running the compiler as is: ", failure.status.ToString()));
  }
  return std::nullopt;
}

[[noreturn]] void RunCompilerCall(Compiler compiler, const std::vector<std::string>& args,
                                  const EnvLookup& env) {
  Tally tally;
  absl::StatusOr<Config> config = LoadConfig(env);
  if (!config.ok()) {
    const char* log_file = env("DDCC_LOGFILE");
    OpenLog(log_file ? log_file : "");
    Log(absl::StrCat("bad configuration, running the compiler as is: ", config.status().message()));
    // Counted only where the counters exist: without the configuration, the umask they would
    // want (a group cache's) is unknown.
    tally.errors.push_back(ErrorKind::kBadConfig);
    Stats(CacheDirFromEnv(env), std::nullopt, /*may_create=*/false).Count(tally);
    RunAsIs(compiler, args);
  }
  OpenLog(config->log_file);
  for (const std::string& warning : config->warnings) Log(warning);
  if (compiler.family && !config->prefix_command.empty()) {
    absl::StatusOr<std::vector<std::string>> prefix =
        FindPrefixCommand(config->prefix_command, env);
    if (!prefix.ok()) {
      // A build farm's client missing costs the cache, not the build.
      Log(absl::StrCat("bad prefix_command, running the compiler as is: ",
                       prefix.status().message()));
      tally.errors.push_back(ErrorKind::kBadConfig);
      Stats(config->cache_dir, config->umask).Count(tally);
      RunAsIs(compiler, args);
    }
    compiler.prefix = *std::move(prefix);
  }
  if (config->disable) RunAsIs(compiler, args);
  // rustc under another name (a versioned binary, a wrapper script) says what it is.
  if (!compiler.family && !compiler.rustc) compiler.rustc = AnswersAsRustc(compiler, *config);
  if (!compiler.family && !compiler.rustc) {
    compiler.family = AnswersAsGccOrClang(compiler, *config);
    compiler.probed = compiler.family.has_value();
  }

  std::optional<ProcessResult> result = CompileCall(compiler, args, *config, env, tally);
  Stats(config->cache_dir, config->umask).Count(tally);
  if (result) {
    if (!result->streamed) {
      WriteAll(STDOUT_FILENO, result->out);
      WriteAll(STDERR_FILENO, result->err);
    }
    ExitLike(*result);
  }
  RunAsIs(compiler, args);
}

int Main(int argc, char** argv, bool output_closed) {
  EnvLookup env = [](const char* name) { return std::getenv(name); };
  std::vector<std::string> args(argv + 1, argv + argc);
  std::string compiler_name = argv[0];
  if (absl::StartsWith(Basename(argv[0]), "ddcc")) {
    // `ddcc ddcc gcc`: a launcher in front of CC="ddcc gcc".
    while (!args.empty() && absl::StartsWith(Basename(args[0]), "ddcc")) args.erase(args.begin());
    if (args.empty()) {
      RunCommands({"--help"}, env);
      return 1;
    }
    if (IsCommandOption(args[0])) return RunCommands(args, env);
    if (args[0] == kRunIgnoringCommand && args.size() > 2) {
      return RunIgnoring(args[1], {args.begin() + 2, args.end()});
    }
    if (args[0] == kCompileEnvironmentCommand) {
      return PrintCompileEnvironmentAndRun({args.begin() + 1, args.end()});
    }
    if (absl::StartsWith(args[0], "-")) {
      compiler_name = "cc";  // bare compiler options, as build scripts probe
    } else {
      compiler_name = args[0];
      args.erase(args.begin());
    }
  }
  absl::StatusOr<Compiler> compiler = FindCompiler(compiler_name, env);
  if (!compiler.ok()) {
    std::fprintf(stderr, "ddcc: %s\n", std::string(compiler.status().message()).c_str());
    return ExitCodeFor(compiler.status());
  }
  if (output_closed) RunAsIs(*compiler, args);
  PassOnChain(env);
  RunCompilerCall(*compiler, args, env);
}

}  // namespace
}  // namespace ddcc

int main(int argc, char** argv) {
  const bool output_closed = ddcc::OpenClosedStandardStreams();
  ddcc::IgnoreFileSizeSignal();
  return ddcc::Main(argc, argv, output_closed);
}
