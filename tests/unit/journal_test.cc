#include "cache/store/journal.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "cache/util/files.h"
#include "tests/unit/temp_dir_test.h"

namespace ddcc {
namespace {

Digest Key(uint8_t id) {
  Digest key;
  key.bytes[0] = id;
  return key;
}

class JournalTest : public TempDirTest {
 protected:
  std::string Path() const { return dir_ + "/journal"; }
  int Files() const {
    return std::filesystem::exists(Path()) + std::filesystem::exists(Path() + ".old");
  }

  std::vector<std::string> Read(const Journal& journal, uint8_t id) {
    absl::StatusOr<std::vector<std::string>> records = journal.Read(Key(id));
    EXPECT_TRUE(records.ok()) << records.status();
    return records.value_or(std::vector<std::string>{});
  }
};

TEST_F(JournalTest, ReadsBackTheRecordsOfAKeyInOrder) {
  Journal journal(Path(), 1 << 20);
  EXPECT_TRUE(Read(journal, 1).empty());
  ASSERT_TRUE(journal.Append(Key(1), "first").ok());
  ASSERT_TRUE(journal.Append(Key(2), "other").ok());
  ASSERT_TRUE(journal.Append(Key(1), "").ok());
  ASSERT_TRUE(journal.Append(Key(1), "third").ok());
  EXPECT_EQ(Read(journal, 1), (std::vector<std::string>{"first", "", "third"}));
  EXPECT_EQ(Read(journal, 2), (std::vector<std::string>{"other"}));
  EXPECT_EQ(Files(), 1);
  ASSERT_TRUE(journal.Clear().ok());
  EXPECT_TRUE(Read(journal, 1).empty());
  EXPECT_EQ(Files(), 0);
}

TEST_F(JournalTest, ReadsEveryRecordWithItsKeyInOrder) {
  Journal journal(Path(), 1 << 20);
  ASSERT_TRUE(journal.Append(Key(1), "one").ok());
  ASSERT_TRUE(journal.Append(Key(2), "two").ok());
  ASSERT_TRUE(journal.Append(Key(1), "three").ok());
  absl::StatusOr<std::vector<Journal::Keyed>> all = journal.ReadAll();
  ASSERT_TRUE(all.ok()) << all.status();
  ASSERT_EQ(all->size(), 3u);
  EXPECT_EQ((*all)[0].key, Key(1));
  EXPECT_EQ((*all)[1].key, Key(2));
  EXPECT_EQ((*all)[1].record, "two");
  EXPECT_EQ((*all)[2].record, "three");
}

TEST_F(JournalTest, StaysWithinItsLimitAndKeepsTheNewest) {
  const uint64_t limit = 64 << 10;
  Journal journal(Path(), limit);
  const std::string record(1000, 'r');
  for (int i = 0; i < 1000; ++i) {
    ASSERT_TRUE(journal.Append(Key(i % 2), absl::StrCat(i, record)).ok());
    ASSERT_LE(journal.AllocatedBytes(), limit + 8192) << i;
  }
  EXPECT_EQ(Files(), 2);
  std::vector<std::string> kept = Read(journal, 1);
  ASSERT_FALSE(kept.empty());
  EXPECT_EQ(kept.back(), absl::StrCat(999, record));
  // Oldest first, and no gaps: the latest records all survive.
  for (size_t i = 1; i < kept.size(); ++i) {
    EXPECT_EQ(std::stoi(kept[i]), std::stoi(kept[i - 1]) + 2);
  }
  EXPECT_GE(kept.size(), 20u);
}

TEST_F(JournalTest, TrimKeepsTheNewestWithinALowerLimit) {
  const std::string record(1000, 'r');
  {
    Journal roomy(Path(), 1 << 20);
    for (int i = 0; i < 300; ++i) ASSERT_TRUE(roomy.Append(Key(1), absl::StrCat(i, record)).ok());
  }
  const uint64_t limit = 32 << 10;
  Journal small(Path(), limit);
  ASSERT_TRUE(small.Trim().ok());
  EXPECT_LE(small.AllocatedBytes(), limit);
  std::vector<std::string> kept = Read(small, 1);
  ASSERT_GE(kept.size(), 10u);
  EXPECT_EQ(kept.back(), absl::StrCat(299, record));
  for (size_t i = 1; i < kept.size(); ++i) {
    EXPECT_EQ(std::stoi(kept[i]), std::stoi(kept[i - 1]) + 1);
  }
  // An append under the lower limit rotates the big file and shortens it the same way.
  Journal roomy(Path(), 1 << 20);
  for (int i = 0; i < 300; ++i) ASSERT_TRUE(roomy.Append(Key(1), absl::StrCat(i, record)).ok());
  ASSERT_TRUE(small.Append(Key(1), "last").ok());
  EXPECT_LE(small.AllocatedBytes(), limit + 8192);
  EXPECT_EQ(Read(small, 1).back(), "last");
}

TEST_F(JournalTest, RemovesFilesWrittenBeforeATime) {
  Journal journal(Path(), 1 << 20);
  ASSERT_TRUE(journal.Append(Key(1), "record").ok());
  ASSERT_TRUE(journal.RemoveWrittenBefore(NowNs() - 60'000'000'000).ok());
  EXPECT_EQ(Files(), 1);
  ASSERT_TRUE(journal.RemoveWrittenBefore(NowNs() + 1'000'000'000).ok());
  EXPECT_EQ(Files(), 0);
}

TEST_F(JournalTest, SkipsTornAndDamagedRecords) {
  Journal journal(Path(), 1 << 20);
  ASSERT_TRUE(journal.Append(Key(1), "before").ok());
  ASSERT_TRUE(journal.Append(Key(1), "damaged").ok());
  // A writer killed in mid-record, and a bit flipped in the record before it.
  {
    ScopedFd fd(open(Path().c_str(), O_WRONLY | O_APPEND));
    ASSERT_EQ(write(fd.get(), "ddj1\1\0\0\0", 8), 8);
  }
  absl::StatusOr<std::string> bytes = ReadFile(Path());
  ASSERT_TRUE(bytes.ok());
  (*bytes)[bytes->find("damaged")] ^= 1;
  ASSERT_TRUE(WriteFileAtomic(Path(), *bytes).ok());
  ASSERT_TRUE(journal.Append(Key(1), "after").ok());
  EXPECT_EQ(Read(journal, 1), (std::vector<std::string>{"before", "after"}));
}

TEST_F(JournalTest, ConcurrentWritersLoseNothing) {
  Journal journal(Path(), 1 << 24);
  std::vector<std::thread> writers;
  for (int t = 0; t < 4; ++t) {
    writers.emplace_back([&, t] {
      Journal own(Path(), 1 << 24);  // as another process would
      for (int i = 0; i < 200; ++i) {
        ASSERT_TRUE(own.Append(Key(t), absl::StrCat(t, ":", i, std::string(300, 'x'))).ok());
      }
    });
  }
  for (std::thread& writer : writers) writer.join();
  for (int t = 0; t < 4; ++t) EXPECT_EQ(Read(journal, t).size(), 200u) << t;
}

TEST_F(JournalTest, FollowsNoSymlink) {
  const std::string target = dir_ + "/elsewhere";
  ASSERT_TRUE(WriteFileAtomic(target, "keep").ok());
  ASSERT_EQ(symlink(target.c_str(), Path().c_str()), 0);
  Journal journal(Path(), 1 << 20);
  EXPECT_FALSE(journal.Append(Key(1), "record").ok());
  EXPECT_EQ(*ReadFile(target), "keep");
  EXPECT_TRUE(std::filesystem::is_symlink(Path()));
  EXPECT_EQ(journal.AllocatedBytes(), 0u);
}

}  // namespace
}  // namespace ddcc
