#include "launcher/process.h"

#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <fstream>
#include <string>

#include "cache/util/files.h"
#include "cache/util/signal_cleanup.h"
#include "gtest/gtest.h"
#include "tests/unit/temp_dir_test.h"

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
TEST(ProcessTest, AddedVariablesReplaceTheirNamesakes) {
  setenv("DDCC_TEST_ADDED", "old", 1);
  absl::StatusOr<ProcessResult> result =
      RunCaptured({"/bin/sh", "-c", "env | grep ^DDCC_TEST_ADDED"}, {"DDCC_TEST_ADDED=new"});
  unsetenv("DDCC_TEST_ADDED");
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->out, "DDCC_TEST_ADDED=new\n");
}

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

// A probe reads nothing (stdin is /dev/null) and is killed when late, even where a process it
// started holds its pipes open.
TEST(ProcessTest, ProbeReadsNothingAndIsKilledWhenLate) {
  absl::StatusOr<ProcessResult> answered = RunProbe({"/bin/sh", "-c", "cat; echo done"}, 10'000);
  ASSERT_TRUE(answered.ok()) << answered.status();
  EXPECT_EQ(answered->out, "done\n");
  for (const char* late : {"exec sleep 10", "sleep 10 & wait"}) {
    SCOPED_TRACE(late);
    const int64_t began = NowNs();
    absl::StatusOr<ProcessResult> killed = RunProbe({"/bin/sh", "-c", late}, 200);
    EXPECT_TRUE(absl::IsDeadlineExceeded(killed.status())) << killed.status();
    EXPECT_LT(NowNs() - began, 5'000'000'000) << "waited for the late process";
  }
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

// A signal to this process alone (a CI cancel): the process it waits for gets it too, the files
// registered are removed, and the process dies of that signal.
class SignalCleanupTest : public TempDirTest {};

TEST_F(SignalCleanupTest, PassesTheSignalOnRemovesFilesAndDiesOfIt) {
  for (int signal_number : {SIGTERM, SIGINT, SIGHUP}) {
    SCOPED_TRACE(signal_number);
    const std::string temp = dir_ + "/x.o.ddcc-tmp.1.00";
    const std::string pid_file = dir_ + "/pid";
    unlink(pid_file.c_str());
    ASSERT_TRUE(WriteFileAtomic(temp, "partial").ok());
    pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      RemovedOnSignal removed(temp);
      RunCaptured({"/bin/sh", "-c",
                   "echo $$ > " + pid_file + ".new; mv " + pid_file + ".new " + pid_file +
                       "; exec sleep 60"})
          .IgnoreError();
      _exit(0);
    }
    pid_t child = 0;
    for (int i = 0; i < 3000 && child == 0; ++i) {
      std::ifstream(pid_file) >> child;
      if (child == 0) usleep(10'000);
    }
    ASSERT_NE(child, 0);
    ASSERT_EQ(kill(pid, signal_number), 0);
    int status = 0;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == signal_number) << status;
    EXPECT_NE(kill(child, 0), 0) << "the process waited for goes on";
    kill(child, SIGKILL);
    EXPECT_NE(access(temp.c_str(), F_OK), 0) << "the file is left";
  }
}

}  // namespace
}  // namespace ddcc
