// Layout: root/<h0>/<h1>/<32 hex digits>.e, where h0 and h1 are the key's first two hex digits.
// Each of the 16 shards (by h0) counts its size and files in root/store-counters, and evicts on
// its own when it outgrows a 16th of max_size, under root/<h0>/.lock; the hit path takes no lock.
#include "cache/store.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <functional>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "cache/files.h"
#include "cache/log.h"

namespace ddcc {
namespace {

constexpr int kShards = 16;
constexpr char kHexDigits[] = "0123456789abcdef";
constexpr char kEntrySuffix[] = ".e";
// Written by WriteFileAtomic; one this old belongs to a writer that died.
constexpr char kTempMarker[] = ".tmp.";
constexpr time_t kStaleTempSeconds = 3600;

size_t SizeSlot(int shard) { return 2 * shard; }
size_t FilesSlot(int shard) { return 2 * shard + 1; }
int ShardOf(const Digest& key) { return key.bytes[0] >> 4; }

std::string ShardDir(const std::string& root, int shard) { return root + "/" + kHexDigits[shard]; }

struct FoundFile {
  std::string path;
  struct stat st;
};

// Calls `visit` for every regular file in the shard's 16 subdirectories.
absl::Status ForEachShardFile(const std::string& shard_dir,
                              const std::function<void(absl::string_view name, FoundFile)>& visit) {
  for (char digit : absl::string_view(kHexDigits)) {
    std::string dir_path = shard_dir + "/" + digit;
    DIR* dir = opendir(dir_path.c_str());
    if (dir == nullptr) {
      if (errno == ENOENT) continue;
      return ErrnoStatus("opendir", dir_path);
    }
    while (const dirent* item = readdir(dir)) {
      absl::string_view name = item->d_name;
      if (!absl::EndsWith(name, kEntrySuffix) && name.find(kTempMarker) == name.npos) continue;
      FoundFile file{dir_path + "/" + item->d_name, {}};
      // Gone meanwhile (another process evicted it) or not a file: not ours to count.
      if (fstatat(dirfd(dir), item->d_name, &file.st, AT_SYMLINK_NOFOLLOW) != 0) continue;
      if (!S_ISREG(file.st.st_mode)) continue;
      visit(name, std::move(file));
    }
    closedir(dir);
  }
  return absl::OkStatus();
}

bool OlderThan(const struct timespec& a, const struct timespec& b) {
  return a.tv_sec != b.tv_sec ? a.tv_sec < b.tv_sec : a.tv_nsec < b.tv_nsec;
}

}  // namespace

LocalStore::LocalStore(std::string root, uint64_t max_size, int compression_level)
    : root_(std::move(root)), max_size_(max_size), compression_level_(compression_level) {}

std::string LocalStore::EntryPath(const Digest& key) const {
  std::string hex = key.Hex();
  return absl::StrCat(root_, "/", hex.substr(0, 1), "/", hex.substr(1, 1), "/", hex, kEntrySuffix);
}

absl::StatusOr<SharedCounters*> LocalStore::Counters() {
  if (!counters_) {
    if (absl::Status status = MakeDirs(root_); !status.ok()) return status;
    absl::StatusOr<SharedCounters> counters =
        SharedCounters::Open(absl::StrCat(root_, "/store-counters"), 2 * kShards);
    if (!counters.ok()) return counters.status();
    counters_.emplace(std::move(*counters));
  }
  return &*counters_;
}

absl::StatusOr<Entry> LocalStore::Load(const Digest& key) {
  std::string path = EntryPath(key);
  absl::StatusOr<std::string> bytes = ReadFile(path);
  if (!bytes.ok()) return bytes.status();
  absl::StatusOr<Entry> entry = DecodeEntry(*bytes);
  if (!entry.ok()) {
    // DecodeEntry fails only on damage. Only the process whose unlink succeeds uncounts the
    // file, so racing readers agree.
    if (unlink(path.c_str()) == 0) {
      absl::StatusOr<SharedCounters*> counters = Counters();
      if (counters.ok()) {
        (*counters)->Add(SizeSlot(ShardOf(key)), -static_cast<int64_t>(bytes->size()));
        (*counters)->Add(FilesSlot(ShardOf(key)), -1);
      }
    }
    return absl::DataLossError(absl::StrCat(path, ": ", entry.status().message()));
  }
  // Eviction orders by mtime, so a hit marks the entry as recently used. Failing to is harmless.
  utimensat(AT_FDCWD, path.c_str(), nullptr, 0);
  return entry;
}

absl::Status LocalStore::Save(const Digest& key, const Entry& entry) {
  return SaveBytes(key, EncodeEntry(entry, compression_level_));
}

absl::Status LocalStore::SaveBytes(const Digest& key, absl::string_view bytes) {
  absl::StatusOr<SharedCounters*> counters = Counters();
  if (!counters.ok()) return counters.status();
  std::string path = EntryPath(key);
  if (absl::Status status = MakeDirs(path.substr(0, path.rfind('/'))); !status.ok()) return status;

  // Two processes saving the same new key at once both count it; eviction's recount repairs that.
  struct stat old;
  bool replaces = stat(path.c_str(), &old) == 0;
  if (absl::Status status = WriteFileAtomic(path, bytes); !status.ok()) return status;
  const int shard = ShardOf(key);
  (*counters)->Add(SizeSlot(shard), static_cast<int64_t>(bytes.size()) -
                                        (replaces ? static_cast<int64_t>(old.st_size) : 0));
  if (!replaces) (*counters)->Add(FilesSlot(shard), 1);

  const uint64_t share = max_size_ / kShards;
  if (max_size_ > 0 &&
      static_cast<int64_t>((*counters)->Get(SizeSlot(shard))) > static_cast<int64_t>(share)) {
    // Evicting to 80% of the share leaves room for the next many saves before the next scan.
    // The entry is stored; a failed eviction is for the log, not the caller.
    if (absl::Status status = EvictShard(shard, share - share / 5); !status.ok()) {
      Log(absl::StrCat("evicting from ", ShardDir(root_, shard), " failed: ", status.ToString()));
    }
  }
  return absl::OkStatus();
}

absl::Status LocalStore::Remove(const Digest& key) {
  std::string path = EntryPath(key);
  struct stat st;
  if (stat(path.c_str(), &st) != 0) return ErrnoStatus("stat", path);
  if (unlink(path.c_str()) != 0) return ErrnoStatus("unlink", path);
  absl::StatusOr<SharedCounters*> counters = Counters();
  if (!counters.ok()) return counters.status();
  (*counters)->Add(SizeSlot(ShardOf(key)), -static_cast<int64_t>(st.st_size));
  (*counters)->Add(FilesSlot(ShardOf(key)), -1);
  return absl::OkStatus();
}

absl::StatusOr<StoreUsage> LocalStore::Usage() {
  absl::StatusOr<SharedCounters*> counters = Counters();
  if (!counters.ok()) return counters.status();
  // Races can leave a shard's counters below the truth, even below zero until the next recount;
  // a negative count reads as 0 rather than as a huge unsigned number.
  auto clamped = [&](size_t slot) {
    return static_cast<uint64_t>(std::max<int64_t>(0, (*counters)->Get(slot)));
  };
  StoreUsage usage;
  for (int shard = 0; shard < kShards; ++shard) {
    usage.size_bytes += clamped(SizeSlot(shard));
    usage.files += clamped(FilesSlot(shard));
  }
  return usage;
}

absl::Status LocalStore::Clear() {
  absl::StatusOr<SharedCounters*> counters = Counters();
  if (!counters.ok()) return counters.status();
  absl::Status result;
  for (int shard = 0; shard < kShards; ++shard) {
    absl::Status scan =
        ForEachShardFile(ShardDir(root_, shard), [&](absl::string_view, FoundFile file) {
          if (unlink(file.path.c_str()) != 0 && errno != ENOENT) {
            result.Update(ErrnoStatus("unlink", file.path));
          }
        });
    result.Update(scan);
    (*counters)->Set(SizeSlot(shard), 0);
    (*counters)->Set(FilesSlot(shard), 0);
  }
  return result;
}

absl::Status LocalStore::Cleanup(int64_t used_before_ns) {
  absl::Status result;
  for (int shard = 0; shard < kShards; ++shard) {
    // max_size 0 means no limit, as in ccache: only recount.
    result.Update(
        EvictShard(shard, max_size_ > 0 ? max_size_ / kShards : UINT64_MAX, used_before_ns));
  }
  return result;
}

absl::Status LocalStore::EvictShard(int shard, uint64_t target_size, int64_t used_before_ns) {
  absl::StatusOr<SharedCounters*> counters = Counters();
  if (!counters.ok()) return counters.status();
  const std::string shard_dir = ShardDir(root_, shard);
  const std::string lock_path = absl::StrCat(shard_dir, "/.lock");
  ScopedFd lock(open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0666));
  if (lock.get() < 0) {
    if (errno != ENOENT) return ErrnoStatus("open", lock_path);
    // No shard directory, so no entries.
    (*counters)->Set(SizeSlot(shard), 0);
    (*counters)->Set(FilesSlot(shard), 0);
    return absl::OkStatus();
  }
  if (flock(lock.get(), LOCK_EX | LOCK_NB) != 0) {
    // Another process is evicting this shard and will leave it within its share.
    if (errno == EWOULDBLOCK) return absl::OkStatus();
    return ErrnoStatus("flock", lock_path);
  }

  struct timespec now;
  clock_gettime(CLOCK_REALTIME, &now);
  std::vector<FoundFile> entries;
  absl::Status scan = ForEachShardFile(shard_dir, [&](absl::string_view name, FoundFile file) {
    if (absl::EndsWith(name, kEntrySuffix)) {
      entries.push_back(std::move(file));
    } else if (file.st.st_mtim.tv_sec < now.tv_sec - kStaleTempSeconds) {
      unlink(file.path.c_str());
    }
  });
  if (!scan.ok()) return scan;

  std::sort(entries.begin(), entries.end(), [](const FoundFile& a, const FoundFile& b) {
    return OlderThan(a.st.st_mtim, b.st.st_mtim);
  });
  uint64_t size = 0;
  for (const FoundFile& entry : entries) size += entry.st.st_size;
  uint64_t files = entries.size();
  absl::Status result;
  for (const FoundFile& entry : entries) {
    int64_t used_ns = int64_t{entry.st.st_mtim.tv_sec} * 1'000'000'000 + entry.st.st_mtim.tv_nsec;
    if (size <= target_size && used_ns >= used_before_ns) break;
    if (unlink(entry.path.c_str()) != 0 && errno != ENOENT) {
      result.Update(ErrnoStatus("unlink", entry.path));
      continue;
    }
    size -= entry.st.st_size;
    --files;
  }
  // Setting rather than adjusting the counters repairs whatever drift races have caused.
  (*counters)->Set(SizeSlot(shard), size);
  (*counters)->Set(FilesSlot(shard), files);
  return result;
}

}  // namespace ddcc
