#include "cache/layered_store.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>

#include "tests/unit/temp_dir_test.h"

namespace ddcc {
namespace {

// A remote in memory, shared by the backends made for its URL.
struct FakeRemote {
  std::map<std::string, std::string> values;  // by the key's hex
  absl::Status failure;                       // when not OK, every request fails with it
  int gets = 0;
  int puts = 0;
};

// Answers at once, inside the Start call, as the interface allows.
class FakeBackend : public RemoteBackend {
 public:
  explicit FakeBackend(FakeRemote& remote) : remote_(remote) {}

  void StartGet(const Digest& key, GetDone done) override {
    ++remote_.gets;
    if (!remote_.failure.ok()) return done(remote_.failure);
    auto found = remote_.values.find(key.Hex());
    if (found == remote_.values.end()) return done(absl::NotFoundError(key.Hex()));
    done(found->second);
  }

  void StartPut(const Digest& key, absl::string_view bytes, PutDone done) override {
    ++remote_.puts;
    if (!remote_.failure.ok()) return done(remote_.failure);
    remote_.values[key.Hex()] = std::string(bytes);
    done(absl::OkStatus());
  }

 private:
  FakeRemote& remote_;
};

Digest Key(uint8_t n) {
  Digest key;
  key.bytes[0] = n;
  return key;
}

// Any kind: the stores do not read blobs.
constexpr BlobKind kObject = 19;

Entry Object(const std::string& content) {
  Entry entry;
  entry.Add(kObject, content);
  return entry;
}

class LayeredStoreTest : public TempDirTest {
 protected:
  void SetUp() override {
    TempDirTest::SetUp();
    root_ = dir_ + "/cache";
  }

  // A store as one ddcc process has it.
  LayeredStore Make(absl::string_view storage) {
    absl::StatusOr<std::vector<RemoteSpec>> specs = ParseRemoteStorage(storage);
    EXPECT_TRUE(specs.ok()) << specs.status();
    return LayeredStore(
        root_, {}, specs.value_or(std::vector<RemoteSpec>{}),
        [this](RemoteOutcome outcome) { ++counts_[outcome]; },
        [this](size_t, const RemoteSpec& spec, const LoopSource&) {
          return std::make_unique<FakeBackend>(remotes_[spec.url]);
        });
  }

  LocalStore Local() const { return LocalStore(root_, {}); }

  std::string root_;
  std::map<std::string, FakeRemote> remotes_;
  std::map<RemoteOutcome, int> counts_;
};

TEST_F(LayeredStoreTest, ALocalHitAsksNoRemote) {
  ASSERT_TRUE(Local().Save(Key(1), Object("local")).ok());
  LayeredStore store = Make("redis://a");
  absl::StatusOr<Entry> entry = store.Load(Key(1));
  ASSERT_TRUE(entry.ok()) << entry.status();
  EXPECT_EQ(*entry->Find(kObject), "local");
  EXPECT_EQ(remotes_["redis://a"].gets, 0);
  EXPECT_TRUE(counts_.empty());
}

TEST_F(LayeredStoreTest, ARemoteHitIsKeptLocally) {
  remotes_["redis://a"].values[Key(1).Hex()] = EncodeEntry(Object("remote"), 1, Key(1));
  absl::StatusOr<Entry> entry = Make("redis://a").Load(Key(1));
  ASSERT_TRUE(entry.ok()) << entry.status();
  EXPECT_EQ(*entry->Find(kObject), "remote");
  EXPECT_EQ(counts_[RemoteOutcome::kHit], 1);

  absl::StatusOr<Entry> kept = Local().Load(Key(1));
  ASSERT_TRUE(kept.ok()) << kept.status();
  EXPECT_EQ(*kept->Find(kObject), "remote");
}

TEST_F(LayeredStoreTest, TheFirstRemoteInOrderServesAndEveryAnswerCounts) {
  remotes_["redis://b"].values[Key(1).Hex()] = EncodeEntry(Object("from b"), 1, Key(1));
  remotes_["redis://c"].values[Key(1).Hex()] = EncodeEntry(Object("from c"), 1, Key(1));
  absl::StatusOr<Entry> entry = Make("redis://a redis://b redis://c").Load(Key(1));
  ASSERT_TRUE(entry.ok()) << entry.status();
  EXPECT_EQ(*entry->Find(kObject), "from b");
  EXPECT_EQ(counts_[RemoteOutcome::kMiss], 1);
  EXPECT_EQ(counts_[RemoteOutcome::kHit], 2);
}

TEST_F(LayeredStoreTest, AnUnsoundAnswerIsACountedMiss) {
  std::string damaged = EncodeEntry(Object("remote"), 1, Key(1));
  damaged[damaged.size() / 2] ^= 1;
  remotes_["redis://a"].values[Key(1).Hex()] = damaged;
  EXPECT_TRUE(absl::IsNotFound(Make("redis://a").Load(Key(1)).status()));
  EXPECT_EQ(counts_[RemoteOutcome::kError], 1);
  EXPECT_TRUE(absl::IsNotFound(Local().Load(Key(1)).status()));
}

TEST_F(LayeredStoreTest, AFailedRemoteIsLeftAloneByThisProcessAndTheNext) {
  remotes_["redis://a"].failure = absl::DeadlineExceededError("slow");
  {
    LayeredStore store = Make("redis://a");
    EXPECT_TRUE(absl::IsNotFound(store.Load(Key(1)).status()));
    EXPECT_TRUE(absl::IsNotFound(store.Load(Key(2)).status()));
    EXPECT_TRUE(store.Save(Key(3), Object("x")).ok());
  }
  EXPECT_TRUE(absl::IsNotFound(Make("redis://a").Load(Key(4)).status()));
  EXPECT_EQ(remotes_["redis://a"].gets, 1);
  EXPECT_EQ(remotes_["redis://a"].puts, 0);
  EXPECT_EQ(counts_[RemoteOutcome::kTimeout], 1);

  // Another remote is not affected.
  remotes_["redis://b"].failure = absl::UnavailableError("refused");
  EXPECT_TRUE(absl::IsNotFound(Make("redis://b").Load(Key(1)).status()));
  EXPECT_EQ(counts_[RemoteOutcome::kError], 1);
}

TEST_F(LayeredStoreTest, ASaveGoesToTheLocalStoreAndEveryWritableRemote) {
  ASSERT_TRUE(Make("redis://a redis://b|read-only").Save(Key(1), Object("new")).ok());
  EXPECT_TRUE(Local().Load(Key(1)).ok());
  ASSERT_EQ(remotes_["redis://a"].values.count(Key(1).Hex()), 1u);
  absl::StatusOr<Entry> stored = DecodeEntry(remotes_["redis://a"].values[Key(1).Hex()], Key(1));
  ASSERT_TRUE(stored.ok()) << stored.status();
  EXPECT_EQ(*stored->Find(kObject), "new");
  EXPECT_EQ(remotes_["redis://b"].puts, 0);
  EXPECT_TRUE(counts_.empty());
}

}  // namespace
}  // namespace ddcc
