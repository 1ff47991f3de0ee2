#include "cache/store/counters.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <thread>
#include <vector>

#include "cache/util/files.h"
#include "tests/unit/temp_dir_test.h"

namespace ddcc {
namespace {

class CountersTest : public TempDirTest {
 protected:
  void SetUp() override {
    TempDirTest::SetUp();
    path_ = dir_ + "/counters";
  }

  SharedCounters OpenOrDie(size_t slots) {
    absl::StatusOr<SharedCounters> counters = SharedCounters::Open(path_, slots);
    EXPECT_TRUE(counters.ok()) << counters.status();
    return std::move(*counters);
  }

  off_t FileSize() {
    struct stat st;
    EXPECT_EQ(stat(path_.c_str(), &st), 0);
    return st.st_size;
  }

  std::string path_;
};

TEST_F(CountersTest, CreatesZeroedFile) {
  SharedCounters counters = OpenOrDie(4);
  EXPECT_EQ(counters.slots(), 4u);
  EXPECT_EQ(FileSize(), 32);
  for (size_t slot = 0; slot < 4; ++slot) EXPECT_EQ(counters.Get(slot), 0u);
}

// Writing through the mapping to a hole of the file would need a block, which a full disk
// refuses with SIGBUS; Open allocates them all first, even for a file someone left sparse.
TEST_F(CountersTest, AllocatesTheFileBlocks) {
  {
    ScopedFd sparse(open(path_.c_str(), O_WRONLY | O_CREAT, 0666));
    ASSERT_EQ(ftruncate(sparse.get(), 4096), 0);
  }
  SharedCounters counters = OpenOrDie(512);
  struct stat st;
  ASSERT_EQ(stat(path_.c_str(), &st), 0);
  EXPECT_GE(st.st_blocks * 512, 4096);
  EXPECT_EQ(counters.Get(511), 0u);
}

TEST_F(CountersTest, AddGetSet) {
  SharedCounters counters = OpenOrDie(2);
  counters.Add(0, 5);
  counters.Add(0, -2);
  counters.Add(1, 7);
  EXPECT_EQ(counters.Get(0), 3u);
  EXPECT_EQ(counters.Get(1), 7u);
  counters.Set(1, 100);
  EXPECT_EQ(counters.Get(1), 100u);
  counters.Add(0, -4);  // below zero wraps, as unsigned arithmetic does
  EXPECT_EQ(static_cast<int64_t>(counters.Get(0)), -1);
}

TEST_F(CountersTest, TwoMappingsOfOneFileSeeEachOther) {
  SharedCounters first = OpenOrDie(3);
  SharedCounters second = OpenOrDie(3);
  first.Add(2, 40);
  second.Add(2, 2);
  EXPECT_EQ(first.Get(2), 42u);
  EXPECT_EQ(second.Get(2), 42u);
  second.Set(0, 9);
  EXPECT_EQ(first.Get(0), 9u);
}

TEST_F(CountersTest, ValuesPersistInTheFile) {
  OpenOrDie(2).Add(1, 11);
  EXPECT_EQ(OpenOrDie(2).Get(1), 11u);
}

TEST_F(CountersTest, GrowsASmallerFileKeepingItsValues) {
  OpenOrDie(1).Add(0, 7);
  ASSERT_EQ(FileSize(), 8);
  SharedCounters counters = OpenOrDie(4);
  EXPECT_EQ(FileSize(), 32);
  EXPECT_EQ(counters.Get(0), 7u);
  EXPECT_EQ(counters.Get(3), 0u);
}

TEST_F(CountersTest, MapsOnlyTheRequestedSlotsOfALargerFile) {
  OpenOrDie(8).Add(1, 3);
  SharedCounters counters = OpenOrDie(2);
  EXPECT_EQ(counters.slots(), 2u);
  EXPECT_EQ(counters.Get(1), 3u);
  EXPECT_EQ(FileSize(), 64);
}

TEST_F(CountersTest, MoveTransfersTheMapping) {
  SharedCounters counters = OpenOrDie(1);
  counters.Add(0, 1);
  SharedCounters moved(std::move(counters));
  moved.Add(0, 1);
  SharedCounters assigned = OpenOrDie(1);
  assigned = std::move(moved);
  assigned.Add(0, 1);
  EXPECT_EQ(assigned.Get(0), 3u);
}

TEST_F(CountersTest, OpenFailsInMissingDirectory) {
  absl::StatusOr<SharedCounters> counters = SharedCounters::Open(dir_ + "/no/counters", 1);
  EXPECT_TRUE(absl::IsNotFound(counters.status())) << counters.status();
}

TEST_F(CountersTest, ConcurrentAddsFromThreadsSumExactly) {
  constexpr int kThreads = 8;
  constexpr int kAdds = 100000;
  SharedCounters shared = OpenOrDie(2);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      // Half share one mapping, half map the file themselves.
      std::optional<SharedCounters> own;
      if (t % 2) own.emplace(OpenOrDie(2));
      SharedCounters& counters = own ? *own : shared;
      for (int i = 0; i < kAdds; ++i) {
        counters.Add(0, 1);
        counters.Add(1, 3);
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(shared.Get(0), uint64_t{kThreads} * kAdds);
  EXPECT_EQ(shared.Get(1), uint64_t{kThreads} * kAdds * 3);
}

TEST_F(CountersTest, ConcurrentAddsFromProcessesSumExactly) {
  constexpr int kProcesses = 4;
  constexpr int kAdds = 100000;
  std::vector<pid_t> children;
  for (int p = 0; p < kProcesses; ++p) {
    pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      // Each child opens (and possibly creates) the file itself, racing the others.
      absl::StatusOr<SharedCounters> counters = SharedCounters::Open(path_, 2);
      if (!counters.ok()) _exit(1);
      for (int i = 0; i < kAdds; ++i) counters->Add(1, 1);
      _exit(0);
    }
    children.push_back(pid);
  }
  for (pid_t pid : children) {
    int status;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  }
  EXPECT_EQ(OpenOrDie(2).Get(1), uint64_t{kProcesses} * kAdds);
}

}  // namespace
}  // namespace ddcc
