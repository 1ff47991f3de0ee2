// Running the real compiler: captured (libuv, stdout and stderr read concurrently so a chatty
// compiler cannot deadlock on a full pipe) or replaced outright (exec, for passthrough).
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace ddcc {

struct ProcessResult {
  int exit_code = 0;
  int term_signal = 0;  // non-zero when the process died by a signal
  std::string out;
  std::string err;
  bool streamed = false;  // out and err were written to this process's stdout and stderr
};

// argv[0] is the program to run (a path); stdin is inherited, and the environment, with
// `added_env`'s "NAME=value" entries besides.
absl::StatusOr<ProcessResult> RunCaptured(const std::vector<std::string>& argv,
                                          const std::vector<std::string>& added_env = {});

// As RunCaptured, for ddcc's own runs of the compiler (-E, -v, -###) beside the compile: stdin is
// /dev/null, which only the compile itself may read (a source or header may be /dev/stdin).
absl::StatusOr<ProcessResult> RunAside(const std::vector<std::string>& argv,
                                       const std::vector<std::string>& added_env = {});

// As RunCaptured, for asking a program what it is: stdin is /dev/null, and a program still
// running after `timeout_ms` is killed (a DeadlineExceeded error).
absl::StatusOr<ProcessResult> RunProbe(const std::vector<std::string>& argv, int timeout_ms);

// As RunCaptured, also writing what the process prints to this process's stdout and stderr as
// it comes: cargo reads rustc's notice that a crate's metadata is ready while the compile goes
// on, to start the crates that depend on it.
absl::StatusOr<ProcessResult> RunStreamed(const std::vector<std::string>& argv);

// Makes ddcc's own writes past a file-size limit (ulimit -f) fail with EFBIG, as on a full disk,
// where SIGXFSZ would end it in the middle of a build; what ddcc runs gets the disposition ddcc
// was given. Called first thing.
void IgnoreFileSizeSignal();

// How ddcc runs a program with the signals it was given ignored (nohup's SIGHUP, a background
// job's SIGINT), which libuv's spawn resets: `ddcc --run-ignoring <numbers,...> <program> <args>`.
inline constexpr char kRunIgnoringCommand[] = "--run-ignoring";
// That command's work: ignores each signal of the comma-separated `numbers`, then becomes argv.
// Returns only when argv cannot be run.
int RunIgnoring(absl::string_view numbers, const std::vector<std::string>& argv);

// Writes all of `data` to `fd`, as far as it takes it.
void WriteAll(int fd, absl::string_view data);

// Opens /dev/null on each of descriptors 0-2 that is closed (a daemon's or cron's build, `<&-`):
// libuv cannot spawn without them, and a file ddcc opens would take the number (the compiler's
// messages replayed into a cache entry). ExecReplace closes them again. Called first thing.
// Returns whether stdout or stderr was closed: a compiler's own files then take their numbers
// (gcc writes a warning into its assembly, and fails), which only the compiler run as is does.
bool OpenClosedStandardStreams();

// Replaces this process with argv: same arguments, environment, working directory, streams and
// exit status as if ddcc had never run. Returns only on failure.
absl::Status ExecReplace(const std::vector<std::string>& argv);

// Ends this process the way `result` ended: the same exit code, or death by the same signal.
[[noreturn]] void ExitLike(const ProcessResult& result);

}  // namespace ddcc
