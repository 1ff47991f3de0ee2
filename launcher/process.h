// Running the real compiler: captured (libuv, stdout and stderr read concurrently so a chatty
// compiler cannot deadlock on a full pipe) or replaced outright (exec, for passthrough).
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace ddcc {

struct ProcessResult {
  int exit_code = 0;
  int term_signal = 0;  // non-zero when the process died by a signal
  std::string out;
  std::string err;
};

// argv[0] is the program to run (a path); stdin is inherited.
absl::StatusOr<ProcessResult> RunCaptured(const std::vector<std::string>& argv);

// Replaces this process with argv: same arguments, environment, working directory, streams and
// exit status as if ddcc had never run. Returns only on failure.
absl::Status ExecReplace(const std::vector<std::string>& argv);

// Ends this process the way `result` ended: the same exit code, or death by the same signal.
[[noreturn]] void ExitLike(const ProcessResult& result);

}  // namespace ddcc
