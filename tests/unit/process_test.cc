#include "launcher/process.h"

#include <sys/wait.h>
#include <unistd.h>

#include <csignal>

#include "gtest/gtest.h"

namespace ddcc {
namespace {

TEST(ProcessTest, CapturesBothStreamsAndExitCode) {
  absl::StatusOr<ProcessResult> result =
      RunCaptured({"/bin/sh", "-c", "printf out; printf err >&2; exit 3"});
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->out, "out");
  EXPECT_EQ(result->err, "err");
  EXPECT_EQ(result->exit_code, 3);
  EXPECT_EQ(result->term_signal, 0);
}

// Both pipes filled well past their buffer size at once: reading them one after the other would
// deadlock.
TEST(ProcessTest, LargeOutputOnBothStreams) {
  absl::StatusOr<ProcessResult> result =
      RunCaptured({"/bin/sh", "-c",
                   "head -c 3000000 /dev/zero | tr '\\0' o & head -c 3000000 /dev/zero | "
                   "tr '\\0' e >&2; wait"});
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->out.size(), 3000000u);
  EXPECT_EQ(result->err.size(), 3000000u);
  EXPECT_EQ(result->out.find_first_not_of('o'), std::string::npos);
}

TEST(ProcessTest, DeathBySignal) {
  absl::StatusOr<ProcessResult> result = RunCaptured({"/bin/sh", "-c", "kill -SEGV $$"});
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->term_signal, SIGSEGV);
}

TEST(ProcessTest, MissingProgramIsAnError) {
  EXPECT_FALSE(RunCaptured({"/nonexistent/compiler"}).ok());
}

TEST(ProcessTest, ExitLikePassesOnCodeAndSignal) {
  ProcessResult exited, killed;
  exited.exit_code = 7;
  killed.term_signal = SIGTERM;
  for (const ProcessResult& like : {exited, killed}) {
    pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) ExitLike(like);
    int status = 0;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    if (like.term_signal != 0) {
      ASSERT_TRUE(WIFSIGNALED(status));
      EXPECT_EQ(WTERMSIG(status), like.term_signal);
    } else {
      ASSERT_TRUE(WIFEXITED(status));
      EXPECT_EQ(WEXITSTATUS(status), like.exit_code);
    }
  }
}

}  // namespace
}  // namespace ddcc
