#include "cache/remote/remote_backoff.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include "absl/strings/str_cat.h"
#include "cache/util/files.h"
#include "tests/unit/temp_dir_test.h"

namespace ddcc {
namespace {

class RemoteBackoffTest : public TempDirTest {
 protected:
  // The one failure file, given a time.
  void SetFailureTime(int64_t ns) {
    for (const auto& file : std::filesystem::directory_iterator(dir_ + "/remote-failures")) {
      ASSERT_TRUE(WriteFileAtomic(file.path(), absl::StrCat(ns)).ok());
    }
  }
};

TEST_F(RemoteBackoffTest, ActiveForAWhileAfterAFailure) {
  RemoteBackoff backoff(dir_, "redis://a:1", std::nullopt);
  EXPECT_FALSE(backoff.Active());
  backoff.RecordFailure();
  EXPECT_TRUE(backoff.Active());
  // Another process, the same remote: the file is what it learns from.
  EXPECT_TRUE(RemoteBackoff(dir_, "redis://a:1", std::nullopt).Active());
  EXPECT_FALSE(RemoteBackoff(dir_, "redis://a:2", std::nullopt).Active());

  SetFailureTime(NowNs() - kRemoteBackoffNs - 1'000'000'000);
  EXPECT_FALSE(backoff.Active());
}

TEST_F(RemoteBackoffTest, AFailureInTheFutureOrGarbledIsIgnored) {
  RemoteBackoff backoff(dir_, "redis://a:1", std::nullopt);
  backoff.RecordFailure();
  SetFailureTime(NowNs() + 3'600'000'000'000);
  EXPECT_FALSE(backoff.Active());
  for (const auto& file : std::filesystem::directory_iterator(dir_ + "/remote-failures")) {
    ASSERT_TRUE(WriteFileAtomic(file.path(), "garbage").ok());
  }
  EXPECT_FALSE(backoff.Active());
}

TEST_F(RemoteBackoffTest, UnwritableCacheDirectoryIsHarmless) {
  RemoteBackoff backoff("/proc/no-such-dir", "redis://a:1", std::nullopt);
  backoff.RecordFailure();
  EXPECT_FALSE(backoff.Active());
}

TEST_F(RemoteBackoffTest, NoSymlinkPlantedInTheCacheIsFollowed) {
  ASSERT_TRUE(MakeDirs(dir_ + "/elsewhere").ok());
  ASSERT_EQ(symlink((dir_ + "/elsewhere").c_str(), (dir_ + "/remote-failures").c_str()), 0);
  RemoteBackoff backoff(dir_, "redis://a:1", std::nullopt);
  backoff.RecordFailure();
  EXPECT_TRUE(std::filesystem::is_empty(dir_ + "/elsewhere"));
  EXPECT_FALSE(backoff.Active());
}

TEST_F(RemoteBackoffTest, TheFileIsMadeWithTheCachesUmask) {
  RemoteBackoff(dir_, "redis://a:1", 002).RecordFailure();
  struct stat st;
  ASSERT_EQ(stat((dir_ + "/remote-failures").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0775u);
  RemoteBackoff(dir_ + "/b", "redis://a:1", 077).RecordFailure();
  ASSERT_EQ(stat((dir_ + "/b/remote-failures").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
}

}  // namespace
}  // namespace ddcc
