#include "cache/store/store.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <latch>
#include <random>
#include <thread>
#include <vector>

#include "cache/util/files.h"
#include "tests/unit/temp_dir_test.h"

namespace ddcc {
namespace {

std::string RandomBytes(size_t size, uint32_t seed) {
  std::mt19937 random(seed);
  std::string bytes(size, '\0');
  for (char& c : bytes) c = static_cast<char>(random());
  return bytes;
}

// A key whose first byte (and so shard and subdirectory) is chosen.
Digest Key(uint8_t first_byte, uint8_t id) {
  Digest key;
  key.bytes[0] = first_byte;
  key.bytes[15] = id;
  return key;
}

// Incompressible, so every such entry encodes to the same size: more than one block of 4 KiB, so
// that a small entry occupies less.
Entry RandomEntry(uint32_t seed) { return Entry{{{19, "", RandomBytes(5000, seed)}}}; }

class StoreTest : public TempDirTest {
 protected:
  void SetUp() override {
    TempDirTest::SetUp();
    root_ = dir_ + "/cache";
    // What such an entry occupies on this file system, as the store counts it.
    const std::string probe = dir_ + "/probe";
    ASSERT_TRUE(WriteFileAtomic(probe, EncodeEntry(RandomEntry(0), 1, Key(0, 0))).ok());
    struct stat st;
    ASSERT_EQ(stat(probe.c_str(), &st), 0);
    entry_size_ = AllocatedBytes(st);
    ASSERT_GT(entry_size_, 0u);
    unlink(probe.c_str());
  }

  static std::string PathOf(const std::string& root, const Digest& key) {
    std::string hex = key.Hex();
    return root + "/" + hex[0] + "/" + hex[1] + "/" + hex + ".e";
  }

  static void SetMtime(const std::string& path, time_t seconds) {
    struct timespec times[2] = {{seconds, 0}, {seconds, 0}};
    ASSERT_EQ(utimensat(AT_FDCWD, path.c_str(), times, 0), 0) << path;
  }

  static time_t Mtime(const std::string& path) {
    struct stat st;
    EXPECT_EQ(stat(path.c_str(), &st), 0) << path;
    return st.st_mtime;
  }

  static StoreUsage UsageOf(LocalStore& store) {
    absl::StatusOr<StoreUsage> usage = store.Usage();
    EXPECT_TRUE(usage.ok()) << usage.status();
    return usage.value_or(StoreUsage{});
  }

  // What the entry files actually occupy on disk, as du counts it.
  StoreUsage UsageOnDisk() {
    StoreUsage usage;
    for (const auto& file : std::filesystem::recursive_directory_iterator(root_)) {
      if (file.is_regular_file() && file.path().extension() == ".e") {
        struct stat st;
        EXPECT_EQ(stat(file.path().c_str(), &st), 0);
        usage.size_bytes += AllocatedBytes(st);
        ++usage.files;
      }
    }
    return usage;
  }

  // A max_size whose shard share holds `n` entries and not n + 1: the shards share what is
  // left of max_size after the journal's 16th and 32 KiB for the files beside them.
  uint64_t MaxSizeHolding(uint64_t n) const {
    return (16 * (n * entry_size_ + entry_size_ / 2) + (32 << 10)) * 16 / 15;
  }

  std::string root_;
  uint64_t entry_size_ = 0;
};

TEST_F(StoreTest, SaveThenLoad) {
  LocalStore store(root_, {.max_size = 1 << 30});
  Digest key = Key(0xab, 1);
  Entry entry{{{19, "", "object"}, {17, "", "warning"}}};
  ASSERT_TRUE(store.Save(key, entry).ok());
  EXPECT_TRUE(std::filesystem::is_regular_file(root_ + "/a/b/" + key.Hex() + ".e"));
  absl::StatusOr<Entry> loaded = store.Load(key);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_EQ(loaded->blobs, entry.blobs);

  // Another store on the same root (another process) sees the entry and its accounting.
  LocalStore other(root_, {.max_size = 1 << 30});
  EXPECT_TRUE(other.Load(key).ok());
  EXPECT_EQ(UsageOf(other).files, 1u);
}

TEST_F(StoreTest, MissingEntryIsNotFound) {
  LocalStore store(root_, {.max_size = 1 << 30});
  EXPECT_TRUE(absl::IsNotFound(store.Load(Key(1, 1)).status()));
  ASSERT_TRUE(store.Save(Key(1, 1), RandomEntry(1)).ok());
  EXPECT_TRUE(absl::IsNotFound(store.Load(Key(1, 2)).status()));
}

TEST_F(StoreTest, CorruptEntryIsDataLossAndRemoved) {
  LocalStore store(root_, {.max_size = 1 << 30});
  Digest key = Key(0x42, 1);
  ASSERT_TRUE(store.Save(key, RandomEntry(1)).ok());
  ASSERT_TRUE(store.Save(Key(0x42, 2), RandomEntry(2)).ok());
  std::string path = PathOf(root_, key);
  absl::StatusOr<std::string> bytes = ReadFile(path);
  ASSERT_TRUE(bytes.ok());
  (*bytes)[bytes->size() / 2] ^= 1;
  ASSERT_TRUE(WriteFileAtomic(path, *bytes).ok());

  absl::Status status = store.Load(key).status();
  EXPECT_TRUE(absl::IsDataLoss(status)) << status;
  EXPECT_NE(status.message().find(path), absl::string_view::npos) << status;
  EXPECT_FALSE(std::filesystem::exists(path));
  EXPECT_TRUE(absl::IsNotFound(store.Load(key).status()));
  StoreUsage usage = UsageOf(store);
  EXPECT_EQ(usage.files, 1u);
  EXPECT_EQ(usage.size_bytes, entry_size_);
}

// Readers that find one damaged entry at once (a parallel build) report the damage once: the
// one whose removal succeeds; for the others it is a miss.
TEST_F(StoreTest, ConcurrentReadersReportADamagedEntryOnce) {
  constexpr int kReaders = 8;
  for (uint8_t id = 0; id < 20; ++id) {
    Digest key = Key(0x17, id);
    {
      LocalStore store(root_, {.max_size = 1 << 30});
      ASSERT_TRUE(store.Save(key, Entry{{{19, "", RandomBytes(1 << 20, id)}}}).ok());
    }
    std::string path = PathOf(root_, key);
    absl::StatusOr<std::string> bytes = ReadFile(path);
    ASSERT_TRUE(bytes.ok());
    (*bytes)[bytes->size() / 2] ^= 1;
    ASSERT_TRUE(WriteFileAtomic(path, *bytes).ok());

    std::latch start(kReaders);
    std::atomic<int> damaged = 0, missing = 0;
    std::vector<std::thread> readers;
    for (int i = 0; i < kReaders; ++i) {
      readers.emplace_back([&] {
        LocalStore store(root_, {.max_size = 1 << 30});  // one per process
        start.arrive_and_wait();
        absl::Status status = store.Load(key).status();
        if (absl::IsDataLoss(status)) ++damaged;
        if (absl::IsNotFound(status)) ++missing;
      });
    }
    for (std::thread& reader : readers) reader.join();
    EXPECT_EQ(damaged, 1) << "entry " << int{id};
    EXPECT_EQ(missing, kReaders - 1) << "entry " << int{id};
  }
}

TEST_F(StoreTest, UsageCountsSavesReplacementsAndRemovals) {
  LocalStore store(root_, {.max_size = 1 << 30});
  EXPECT_EQ(UsageOf(store).files, 0u);
  EXPECT_EQ(UsageOf(store).size_bytes, 0u);
  for (int i = 0; i < 20; ++i) ASSERT_TRUE(store.Save(Key(i * 13, i), RandomEntry(i)).ok());
  StoreUsage usage = UsageOf(store);
  EXPECT_EQ(usage.files, 20u);
  EXPECT_EQ(usage.size_bytes, 20 * entry_size_);

  // Replacing an entry with a smaller one counts the difference, not a second file.
  ASSERT_TRUE(store.Save(Key(0, 0), Entry{{{19, "", "small"}}}).ok());
  usage = UsageOf(store);
  EXPECT_EQ(usage.files, 20u);
  EXPECT_EQ(usage.size_bytes, UsageOnDisk().size_bytes);
  EXPECT_LT(usage.size_bytes, 20 * entry_size_);

  ASSERT_TRUE(store.Remove(Key(13, 1)).ok());
  EXPECT_TRUE(absl::IsNotFound(store.Load(Key(13, 1)).status()));
  EXPECT_TRUE(absl::IsNotFound(store.Remove(Key(13, 1))));
  usage = UsageOf(store);
  EXPECT_EQ(usage.files, 19u);
  EXPECT_EQ(usage.size_bytes, UsageOnDisk().size_bytes);
}

TEST_F(StoreTest, EvictsLeastRecentlyUsedWhenAShardOutgrowsItsShare) {
  // Each shard's share holds exactly ten entries.
  LocalStore store(root_, {.max_size = MaxSizeHolding(10)});
  const time_t long_ago = time(nullptr) - 10000;
  for (int i = 0; i < 10; ++i) {
    // All in shard 5, spread over its subdirectories.
    ASSERT_TRUE(store.Save(Key(0x50 + i, i), RandomEntry(i)).ok());
    SetMtime(PathOf(root_, Key(0x50 + i, i)), long_ago + i);
  }
  ASSERT_TRUE(store.Save(Key(0x70, 0), RandomEntry(100)).ok());  // another shard
  SetMtime(PathOf(root_, Key(0x70, 0)), long_ago - 1);
  EXPECT_EQ(UsageOf(store).files, 11u);

  // A hit makes the oldest entry the most recently used.
  ASSERT_TRUE(store.Load(Key(0x50, 0)).ok());
  EXPECT_GT(Mtime(PathOf(root_, Key(0x50, 0))), long_ago + 100);

  // The eleventh entry puts the shard over its share; it is evicted down to 80%: eight entries.
  ASSERT_TRUE(store.Save(Key(0x5a, 10), RandomEntry(10)).ok());
  for (int i = 1; i <= 3; ++i) {
    EXPECT_TRUE(absl::IsNotFound(store.Load(Key(0x50 + i, i)).status())) << i;
  }
  for (int i : {0, 4, 5, 6, 7, 8, 9, 10}) EXPECT_TRUE(store.Load(Key(0x50 + i, i)).ok()) << i;
  EXPECT_TRUE(store.Load(Key(0x70, 0)).ok());
  StoreUsage usage = UsageOf(store);
  EXPECT_EQ(usage.files, 9u);
  EXPECT_EQ(usage.size_bytes, 9 * entry_size_);
  EXPECT_EQ(usage.size_bytes, UsageOnDisk().size_bytes);
}

TEST_F(StoreTest, ClearRemovesEverything) {
  LocalStore store(root_, {.max_size = 1 << 30});
  for (int i = 0; i < 20; ++i) ASSERT_TRUE(store.Save(Key(i * 13, i), RandomEntry(i)).ok());
  std::string temp = PathOf(root_, Key(0, 0)) + ".ddcc-tmp.1.2";
  ASSERT_TRUE(WriteFileAtomic(temp, "partial").ok());

  ASSERT_TRUE(store.Clear().ok());
  EXPECT_EQ(UsageOf(store).files, 0u);
  EXPECT_EQ(UsageOf(store).size_bytes, 0u);
  EXPECT_EQ(UsageOnDisk().files, 0u);
  EXPECT_FALSE(std::filesystem::exists(temp));
  EXPECT_TRUE(absl::IsNotFound(store.Load(Key(13, 1)).status()));
  EXPECT_TRUE(std::filesystem::exists(root_ + "/store-counters"));
}

TEST_F(StoreTest, CleanupRepairsCounters) {
  LocalStore store(root_, {.max_size = 1 << 30});
  for (int i = 0; i < 20; ++i) ASSERT_TRUE(store.Save(Key(i * 13, i), RandomEntry(i)).ok());
  {
    absl::StatusOr<SharedCounters> counters = SharedCounters::Open(root_ + "/store-counters", 32);
    ASSERT_TRUE(counters.ok());
    for (size_t slot = 0; slot < 32; ++slot) counters->Add(slot, -1000000);
  }
  // Negative drift reads as nothing, not as 2^64 - something.
  EXPECT_EQ(UsageOf(store).size_bytes, 0u);
  EXPECT_EQ(UsageOf(store).files, 0u);

  ASSERT_TRUE(store.Cleanup().ok());
  StoreUsage usage = UsageOf(store);
  EXPECT_EQ(usage.files, 20u);
  EXPECT_EQ(usage.size_bytes, 20 * entry_size_);
  EXPECT_EQ(UsageOnDisk().files, 20u);
}

TEST_F(StoreTest, CleanupEvictsEveryShardOverItsShare) {
  {
    LocalStore big(root_, {.max_size = 1 << 30});
    for (int i = 0; i < 64; ++i) ASSERT_TRUE(big.Save(Key(i % 4 * 0x10, i), RandomEntry(i)).ok());
  }
  // Shards 0 to 3 hold 16 entries each; the new share is 5.
  LocalStore small(root_, {.max_size = MaxSizeHolding(5)});
  ASSERT_TRUE(small.Cleanup().ok());
  EXPECT_EQ(UsageOnDisk().files, 20u);
  EXPECT_EQ(UsageOf(small).files, 20u);
  EXPECT_EQ(UsageOf(small).size_bytes, 20 * entry_size_);
}

TEST_F(StoreTest, CleanupEvictsEntriesNotUsedSince) {
  LocalStore store(root_, {.max_size = 1 << 30});
  for (int i = 0; i < 4; ++i) ASSERT_TRUE(store.Save(Key(i * 0x10, i), RandomEntry(i)).ok());
  const time_t now = time(nullptr);
  SetMtime(PathOf(root_, Key(0x00, 0)), now - 10 * 86400);
  SetMtime(PathOf(root_, Key(0x10, 1)), now - 8 * 86400);
  SetMtime(PathOf(root_, Key(0x20, 2)), now - 6 * 86400);
  ASSERT_TRUE(store.Cleanup((int64_t{now} - 7 * 86400) * 1'000'000'000).ok());
  EXPECT_TRUE(absl::IsNotFound(store.Load(Key(0x00, 0)).status()));
  EXPECT_TRUE(absl::IsNotFound(store.Load(Key(0x10, 1)).status()));
  EXPECT_TRUE(store.Load(Key(0x20, 2)).ok());
  EXPECT_TRUE(store.Load(Key(0x30, 3)).ok());
  EXPECT_EQ(UsageOf(store).files, 2u);
}

TEST_F(StoreTest, MaxSizeZeroMeansNoLimit) {
  LocalStore unlimited(root_, {.max_size = 0});
  for (int i = 0; i < 64; ++i) ASSERT_TRUE(unlimited.Save(Key(0, i), RandomEntry(i)).ok());
  ASSERT_TRUE(unlimited.Cleanup().ok());
  EXPECT_EQ(UsageOnDisk().files, 64u);
  EXPECT_EQ(UsageOf(unlimited).files, 64u);
}

TEST_F(StoreTest, CleanupRemovesOnlyStaleTemporaryFiles) {
  LocalStore store(root_, {.max_size = 1 << 30});
  ASSERT_TRUE(store.Save(Key(0x31, 1), RandomEntry(1)).ok());
  std::string entry = PathOf(root_, Key(0x31, 1));
  std::string stale = entry + ".ddcc-tmp.123.abc";
  std::string fresh = entry + ".ddcc-tmp.456.def";
  ASSERT_TRUE(WriteFileAtomic(stale, "left by a crash").ok());
  ASSERT_TRUE(WriteFileAtomic(fresh, "being written").ok());
  SetMtime(stale, time(nullptr) - 2 * 3600);

  ASSERT_TRUE(store.Cleanup().ok());
  EXPECT_FALSE(std::filesystem::exists(stale));
  EXPECT_TRUE(std::filesystem::exists(fresh));
  EXPECT_TRUE(std::filesystem::exists(entry));
  EXPECT_EQ(UsageOf(store).files, 1u);
  EXPECT_EQ(UsageOf(store).size_bytes, entry_size_);
}

TEST_F(StoreTest, MaxFilesHoldsOverHundredsOfSaves) {
  // Each shard's share is 10 files; the size limit is far away.
  LocalStore store(root_, {.max_size = 1 << 30, .max_files = 160});
  std::mt19937 random(7);
  for (int i = 0; i < 600; ++i) {
    const Digest key = Key(static_cast<uint8_t>(random()), static_cast<uint8_t>(i));
    ASSERT_TRUE(store.Save(key, Entry{{{19, "", RandomBytes(100, i)}}}).ok());
    // The entry just saved is the most recently used: never the one evicted.
    ASSERT_TRUE(store.Load(key).ok()) << i;
    ASSERT_LE(UsageOnDisk().files, 160u) << i;
    ASSERT_EQ(UsageOf(store).files, UsageOnDisk().files) << i;
  }
  // Evicting to 80% of a share leaves between 8 and 10 files in each shard.
  EXPECT_GE(UsageOnDisk().files, 16u * 8);
  ASSERT_TRUE(store.Cleanup().ok());
  EXPECT_EQ(UsageOf(store).files, UsageOnDisk().files);
  EXPECT_EQ(UsageOf(store).size_bytes, UsageOnDisk().size_bytes);
}

TEST_F(StoreTest, MaxFilesZeroMeansNoLimit) {
  LocalStore store(root_, {.max_size = 1 << 30, .max_files = 0});
  for (int i = 0; i < 64; ++i) ASSERT_TRUE(store.Save(Key(0, i), RandomEntry(i)).ok());
  ASSERT_TRUE(store.Cleanup().ok());
  EXPECT_EQ(UsageOnDisk().files, 64u);
}

// A shard of more than whole_shard_files files is evicted a subdirectory per save.
TEST_F(StoreTest, EvictsLargeShardsASubdirectoryAtATime) {
  // Shard 3's share is 100 files, so a subdirectory's part of the 80% target is 5 files.
  LocalStore store(root_, {.max_size = 1 << 30, .max_files = 16 * 100, .whole_shard_files = 20});
  const time_t long_ago = time(nullptr) - 10000;
  for (int i = 0; i < 100; ++i) {
    const Digest key = Key(0x30 + i % 15, i);  // subdirectories 0 to e, about 7 files each
    ASSERT_TRUE(store.Save(key, RandomEntry(i)).ok());
    SetMtime(PathOf(root_, key), long_ago + i);
  }
  const StoreUsage full = UsageOnDisk();
  ASSERT_EQ(full.files, 100u);

  // The 101st file puts the shard over: only its own subdirectory, 2, is evicted, to 5 files.
  ASSERT_TRUE(store.Save(Key(0x32, 200), RandomEntry(200)).ok());
  auto files_in = [&](char subdir) {
    std::string dir = root_ + "/3/" + subdir;
    return std::distance(std::filesystem::directory_iterator(dir),
                         std::filesystem::directory_iterator());
  };
  EXPECT_EQ(files_in('2'), 5);
  EXPECT_TRUE(store.Load(Key(0x32, 200)).ok()) << "the newest stays";
  EXPECT_EQ(files_in('1'), 7);
  EXPECT_EQ(UsageOf(store).files, UsageOnDisk().files);
  EXPECT_EQ(UsageOf(store).size_bytes, UsageOnDisk().size_bytes);

  // Subdirectory f holds nothing to evict, yet the shard is still over: a whole pass follows.
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(store.Save(Key(0x3f, 300 + i), RandomEntry(i)).ok());
  EXPECT_EQ(UsageOnDisk().files, 80u);
  EXPECT_EQ(UsageOf(store).files, 80u);
}

TEST_F(StoreTest, ASaveRemovesAtMost32Entries) {
  LocalStore unlimited(root_, {.max_size = 1 << 30});
  for (int i = 0; i < 100; ++i)
    ASSERT_TRUE(unlimited.Save(Key(0x40 + i % 16, i), RandomEntry(i)).ok());
  // Now the shard's share is 10 files, and its 80% 8: the saves after get there 32 at a time.
  LocalStore small(root_, {.max_size = 1 << 30, .max_files = 16 * 10});
  for (uint64_t expected : {69u, 38u, 8u}) {
    ASSERT_TRUE(small.Save(Key(0x41, 200 + expected), RandomEntry(expected)).ok());
    EXPECT_EQ(UsageOnDisk().files, expected);
    EXPECT_EQ(UsageOf(small).files, expected);
  }
}

// Symlinks planted in the cache directory lead nowhere: nothing outside is read, written or
// removed through them.
TEST_F(StoreTest, FollowsNoSymlinkOutOfTheCache) {
  const std::string outside = dir_ + "/outside";
  LocalStore store(root_, {.max_size = MaxSizeHolding(2)});
  ASSERT_TRUE(store.Save(Key(0x10, 1), RandomEntry(1)).ok());  // makes the root
  // Shard 0 is a symlink to a directory holding a good entry and an old temporary file.
  const Digest planted = Key(0x00, 1);
  ASSERT_TRUE(MakeDirs(outside + "/0").ok());
  ASSERT_TRUE(WriteFileAtomic(outside + "/0/" + planted.Hex() + ".e",
                              EncodeEntry(RandomEntry(2), 1, planted))
                  .ok());
  ASSERT_TRUE(WriteFileAtomic(outside + "/0/x.ddcc-tmp.1.2", "").ok());
  SetMtime(outside + "/0/x.ddcc-tmp.1.2", time(nullptr) - 7200);
  ASSERT_EQ(symlink(outside.c_str(), (root_ + "/0").c_str()), 0);
  // An entry is a symlink to a good entry outside.
  const Digest linked = Key(0x20, 1);
  ASSERT_TRUE(MakeDirs(root_ + "/2/0").ok());
  ASSERT_EQ(
      symlink((outside + "/0/" + planted.Hex() + ".e").c_str(), PathOf(root_, linked).c_str()), 0);
  const auto outside_files = [&] {
    std::vector<std::string> files;
    for (const auto& file : std::filesystem::recursive_directory_iterator(outside)) {
      files.push_back(file.path().string() + " " +
                      (file.is_regular_file() ? std::to_string(file.file_size()) : "dir"));
    }
    return files;
  };
  const std::vector<std::string> before = outside_files();

  EXPECT_TRUE(absl::IsNotFound(store.Load(planted).status()));
  EXPECT_TRUE(absl::IsNotFound(store.Load(linked).status()));
  EXPECT_TRUE(absl::IsFailedPrecondition(store.Save(Key(0x01, 7), RandomEntry(7))));
  EXPECT_FALSE(store.Remove(planted).ok());
  for (int i = 0; i < 8; ++i) store.Save(Key(0x00, 10 + i), RandomEntry(10 + i)).IgnoreError();
  EXPECT_FALSE(store.Cleanup(INT64_MAX).ok());
  EXPECT_FALSE(store.Clear().ok());
  EXPECT_EQ(outside_files(), before);

  // Saving the symlinked entry's key replaces the symlink, not what it points to.
  ASSERT_TRUE(store.Save(linked, RandomEntry(3)).ok());
  EXPECT_FALSE(std::filesystem::is_symlink(PathOf(root_, linked)));
  EXPECT_EQ(outside_files(), before);
}

TEST_F(StoreTest, CountersAreNotWrittenThroughASymlink) {
  const std::string outside = dir_ + "/outside-counters";
  ASSERT_TRUE(WriteFileAtomic(outside, std::string(256, 'x')).ok());
  ASSERT_TRUE(MakeDirs(root_).ok());
  ASSERT_EQ(symlink(outside.c_str(), (root_ + "/store-counters").c_str()), 0);
  LocalStore store(root_, {.max_size = 1 << 30});
  EXPECT_FALSE(store.Save(Key(0x10, 1), RandomEntry(1)).ok());
  EXPECT_EQ(ReadFile(outside).value_or(""), std::string(256, 'x'));
}

}  // namespace
}  // namespace ddcc
