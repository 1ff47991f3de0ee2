// Layout: root/<h0>/<h1>/<32 hex digits>.e, where h0 and h1 are the key's first two hex digits.
// Each of the 16 shards (by h0) counts its size and files in root/store-counters, and evicts on
// its own when it outgrows a 16th of max_size, under root/<h0>/.lock; the hit path takes no lock.
#include "cache/store/store.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <functional>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "cache/util/files.h"
#include "cache/util/log.h"

namespace ddcc {
namespace {

constexpr int kShards = 16;
constexpr char kHexDigits[] = "0123456789abcdef";
constexpr char kEntrySuffix[] = ".e";
// An unlink took from 50 us to 2 ms on a loaded machine: a save removes at most this many entries,
// and the next saves go on where it stopped (each adds one entry).
constexpr uint64_t kMaxRemovalsPerSave = 32;
// The journal's part of max_size: room for some 100,000 compiles' --explain records at most.
constexpr uint64_t kMaxJournalBytes = 64 << 20;
// Left out of the shards' shares for the files beside them (statistics, counters) and the
// record by which the journal may overshoot its part.
constexpr uint64_t kHousekeepingBytes = 32 << 10;

uint64_t JournalBytes(uint64_t max_size) {
  return max_size == 0 ? kMaxJournalBytes : std::min(max_size / 16, kMaxJournalBytes);
}

size_t SizeSlot(int shard) { return 2 * shard; }
size_t FilesSlot(int shard) { return 2 * shard + 1; }
int ShardOf(const Digest& key) { return key.bytes[0] >> 4; }
int SubdirOf(const Digest& key) { return key.bytes[0] & 0xf; }

std::string ShardDir(const std::string& root, int shard) { return root + "/" + kHexDigits[shard]; }

struct FoundFile {
  std::string path;
  struct stat st;
};

// O_CREAT | O_DIRECTORY asks OpenBeneath to make directories; open() itself takes no such pair.
int OpenFlags(int flags) { return flags & O_DIRECTORY ? flags & ~O_CREAT : flags; }

// Opens root/<relative> without following a symlink below root: one planted there (a shard
// directory linked elsewhere, an entry linked to another file) fails with ELOOP or ENOTDIR, so
// nothing outside the cache is read, written or removed through it. The root itself may be a
// symlink: the user chose it. With O_CREAT, missing directories on the way are made, and with
// O_CREAT | O_DIRECTORY the last one too. Returns the descriptor, or -1 with errno set.
int OpenBeneath(const std::string& root, absl::string_view relative, int flags, mode_t mode = 0) {
  int dir = open(root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  // Directories to make are nearly always there already: looked for first, as with no O_CREAT.
  const bool only_directories = (flags & (O_CREAT | O_DIRECTORY)) == (O_CREAT | O_DIRECTORY);
  if (dir >= 0 && (!(flags & O_CREAT) || only_directories)) {
    // Where the kernel has openat2 (Linux 5.6), it refuses the symlinks in one call rather than
    // one per directory; a hit opens three entries. Without it (ENOSYS), under a seccomp filter
    // that denies it (EPERM), or where it does not take these flags (EINVAL), the walk below.
    struct open_how how = {.flags = static_cast<uint64_t>(OpenFlags(flags) | O_CLOEXEC),
                           .mode = 0,
                           .resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS};
    int fd = static_cast<int>(
        syscall(SYS_openat2, dir, std::string(relative).c_str(), &how, sizeof(how)));
    const bool to_make = only_directories && fd < 0 && errno == ENOENT;
    if (!to_make && (fd >= 0 || (errno != ENOSYS && errno != EPERM && errno != EINVAL))) {
      int error = errno;
      close(dir);
      errno = error;
      return fd;
    }
  }
  while (dir >= 0) {
    size_t slash = relative.find('/');
    std::string name(relative.substr(0, slash));
    // mkdir does not follow a symlink in the last place either; the open then refuses it.
    if ((flags & O_CREAT) && (flags & O_DIRECTORY || slash != absl::string_view::npos)) {
      mkdirat(dir, name.c_str(), 0777);
    }
    int next = slash == absl::string_view::npos
                   ? openat(dir, name.c_str(), OpenFlags(flags) | O_NOFOLLOW | O_CLOEXEC, mode)
                   : openat(dir, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    int error = errno;
    close(dir);
    errno = error;
    if (slash == absl::string_view::npos) return next;
    dir = next;
    relative.remove_prefix(slash + 1);
  }
  return -1;
}

absl::Status BeneathStatus(absl::string_view what, const std::string& root,
                           absl::string_view relative) {
  if (errno == ELOOP || errno == ENOTDIR) {
    return absl::FailedPreconditionError(absl::StrCat(
        what, " ", root, "/", relative, ": a symlink or not a directory, not followed"));
  }
  return ErrnoStatus(what, absl::StrCat(root, "/", relative));
}

// Calls `visit` for every regular file in the shard's subdirectories named by `digits`.
absl::Status ForEachShardFile(const std::string& root, int shard, absl::string_view digits,
                              const std::function<void(absl::string_view name, FoundFile)>& visit) {
  for (char digit : digits) {
    const std::string relative =
        absl::StrCat(absl::string_view(&kHexDigits[shard], 1), "/", absl::string_view(&digit, 1));
    int fd = OpenBeneath(root, relative, O_RDONLY | O_DIRECTORY);
    DIR* dir = fd < 0 ? nullptr : fdopendir(fd);
    if (dir == nullptr) {
      if (fd >= 0) close(fd);
      if (errno == ENOENT) continue;
      return BeneathStatus("opendir", root, relative);
    }
    const std::string dir_path = absl::StrCat(root, "/", relative);
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

LocalStore::LocalStore(std::string root, const StoreSettings& settings)
    : root_(std::move(root)),
      settings_(settings),
      journal_(root_ + "/journal", JournalBytes(settings.max_size)) {}

// Keys are hex digests, so a key can only ever name a file two directories below the root.
std::string LocalStore::RelativeEntryPath(const Digest& key) const {
  std::string hex = key.Hex();
  return absl::StrCat(hex.substr(0, 1), "/", hex.substr(1, 1), "/", hex, kEntrySuffix);
}

std::string LocalStore::EntryPath(const Digest& key) const {
  return absl::StrCat(root_, "/", RelativeEntryPath(key));
}

absl::StatusOr<SharedCounters*> LocalStore::Counters() {
  if (!counters_) {
    ScopedUmask cache_umask(settings_.umask);
    if (absl::Status status = MakeDirs(root_); !status.ok()) return status;
    absl::StatusOr<SharedCounters> counters =
        SharedCounters::Open(absl::StrCat(root_, "/store-counters"), 2 * kShards);
    if (!counters.ok()) return counters.status();
    counters_.emplace(std::move(*counters));
  }
  return &*counters_;
}

absl::StatusOr<Entry> LocalStore::Load(const Digest& key, bool mark_used) {
  std::string path = EntryPath(key);
  ScopedFd fd(OpenBeneath(root_, RelativeEntryPath(key), O_RDONLY | O_NONBLOCK));
  if (fd.get() < 0) {
    // A symlink is never an entry: a miss, which the next Save of this key replaces.
    if (errno == ELOOP || errno == ENOTDIR) errno = ENOENT;
    return ErrnoStatus("open", path);
  }
  absl::StatusOr<std::string> bytes = ReadRegular(fd.get(), path);
  if (!bytes.ok() && !absl::IsDataLoss(bytes.status())) return bytes.status();
  absl::StatusOr<Entry> entry = bytes.ok() ? DecodeEntry(*bytes, key) : bytes.status();
  if (!entry.ok()) {
    // DecodeEntry fails only on damage. Only the process whose unlink succeeds uncounts the
    // file and reports the damage, so racing readers count one damaged file once; for the
    // others it is a miss.
    struct stat st;
    const bool stated = fstat(fd.get(), &st) == 0;
    if (unlink(path.c_str()) == 0) {
      absl::StatusOr<SharedCounters*> counters = Counters();
      if (counters.ok()) {
        if (stated)
          (*counters)->Add(SizeSlot(ShardOf(key)), -static_cast<int64_t>(AllocatedBytes(st)));
        (*counters)->Add(FilesSlot(ShardOf(key)), -1);
      }
    } else if (errno == ENOENT) {
      return absl::NotFoundError(absl::StrCat(path, ": damaged, removed by another process"));
    }
    return absl::DataLossError(absl::StrCat(path, ": ", entry.status().message()));
  }
  // Eviction orders by mtime, so a hit marks the entry as recently used. Failing to is harmless.
  if (mark_used) futimens(fd.get(), nullptr);
  return entry;
}

absl::Status LocalStore::Save(const Digest& key, const Entry& entry) {
  return SaveBytes(key, EncodeEntry(entry, settings_.compression_level, key));
}

absl::Status LocalStore::SaveBytes(const Digest& key, absl::string_view bytes) {
  absl::StatusOr<SharedCounters*> counters = Counters();
  if (!counters.ok()) return counters.status();
  std::string path = EntryPath(key);
  ScopedUmask cache_umask(settings_.umask);
  const std::string relative = RelativeEntryPath(key);
  const std::string dir_relative = relative.substr(0, relative.rfind('/'));
  if (ScopedFd dir(OpenBeneath(root_, dir_relative, O_RDONLY | O_DIRECTORY | O_CREAT));
      dir.get() < 0) {
    return BeneathStatus("mkdir", root_, dir_relative);
  }

  // Two processes saving the same new key at once both count it; eviction's recount repairs that.
  struct stat old;
  bool replaces = stat(path.c_str(), &old) == 0;
  if (absl::Status status = WriteFileAtomic(path, bytes); !status.ok()) return status;
  // Counted as allocated: another writer of this key may have replaced it meanwhile, and its
  // entry is of the same size or near; a recount repairs the rest.
  struct stat written;
  const int64_t size_now = stat(path.c_str(), &written) == 0
                               ? static_cast<int64_t>(AllocatedBytes(written))
                               : static_cast<int64_t>(bytes.size());
  const int shard = ShardOf(key);
  (*counters)->Add(SizeSlot(shard),
                   size_now - (replaces ? static_cast<int64_t>(AllocatedBytes(old)) : 0));
  if (!replaces) (*counters)->Add(FilesSlot(shard), 1);

  // Counters may have drifted below zero (see Usage); such a shard is not over anything.
  const Amounts share = ShardShare();
  const int64_t size = (*counters)->Get(SizeSlot(shard));
  const int64_t files = (*counters)->Get(FilesSlot(shard));
  if ((size > 0 && static_cast<uint64_t>(size) > share.size) ||
      (files > 0 && static_cast<uint64_t>(files) > share.files)) {
    // The entry is stored; a failed eviction is for the log, not the caller.
    if (absl::Status status = EvictStep(shard, SubdirOf(key), files); !status.ok()) {
      Log(absl::StrCat("evicting from ", ShardDir(root_, shard), " failed: ", status.ToString()));
    }
  }
  return absl::OkStatus();
}

absl::Status LocalStore::Remove(const Digest& key) {
  const std::string path = EntryPath(key);
  const std::string relative = RelativeEntryPath(key);
  const std::string dir_relative = relative.substr(0, relative.rfind('/'));
  const std::string name = relative.substr(dir_relative.size() + 1);
  ScopedFd dir(OpenBeneath(root_, dir_relative, O_RDONLY | O_DIRECTORY));
  if (dir.get() < 0) return BeneathStatus("open", root_, dir_relative);
  struct stat st;
  if (fstatat(dir.get(), name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
    return ErrnoStatus("stat", path);
  }
  if (unlinkat(dir.get(), name.c_str(), 0) != 0) return ErrnoStatus("unlink", path);
  absl::StatusOr<SharedCounters*> counters = Counters();
  if (!counters.ok()) return counters.status();
  (*counters)->Add(SizeSlot(ShardOf(key)), -static_cast<int64_t>(AllocatedBytes(st)));
  (*counters)->Add(FilesSlot(ShardOf(key)), -1);
  return absl::OkStatus();
}

absl::Status LocalStore::AppendRecord(const Digest& key, absl::string_view record) {
  ScopedUmask cache_umask(settings_.umask);
  absl::Status status = journal_.Append(key, record);
  if (!absl::IsNotFound(status)) return status;
  // No cache directory yet.
  if (absl::Status made = MakeDirs(root_); !made.ok()) return made;
  return journal_.Append(key, record);
}

absl::StatusOr<std::vector<std::string>> LocalStore::ReadRecords(const Digest& key) {
  return journal_.Read(key);
}

absl::StatusOr<std::vector<Journal::Keyed>> LocalStore::ReadAllRecords() {
  return journal_.ReadAll();
}

absl::StatusOr<StoreUsage> LocalStore::Usage() {
  absl::StatusOr<SharedCounters*> counters = Counters();
  if (!counters.ok()) return counters.status();
  // Races can leave a shard's counters below the truth, even below zero until the next recount;
  // a negative count reads as 0 rather than as a huge unsigned number.
  auto clamped = [&](size_t slot) {
    return static_cast<uint64_t>(std::max<int64_t>(0, (*counters)->Get(slot)));
  };
  StoreUsage usage{.size_bytes = journal_.AllocatedBytes()};
  for (int shard = 0; shard < kShards; ++shard) {
    usage.size_bytes += clamped(SizeSlot(shard));
    usage.files += clamped(FilesSlot(shard));
  }
  return usage;
}

absl::Status LocalStore::Clear() {
  absl::StatusOr<SharedCounters*> counters = Counters();
  if (!counters.ok()) return counters.status();
  absl::Status result = journal_.Clear();
  for (int shard = 0; shard < kShards; ++shard) {
    absl::Status scan =
        ForEachShardFile(root_, shard, kHexDigits, [&](absl::string_view, FoundFile file) {
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

// A 16th of each limit, less the journal's part and the files beside the shards; a limit of 0
// means none, as in ccache.
LocalStore::Amounts LocalStore::ShardShare() const {
  auto share = [](uint64_t limit) { return limit > 0 ? limit / kShards : UINT64_MAX; };
  const uint64_t max_size = settings_.max_size;
  const uint64_t beside = JournalBytes(max_size) + kHousekeepingBytes;
  return {max_size == 0 ? UINT64_MAX : (max_size > beside ? max_size - beside : 0) / kShards,
          share(settings_.max_files)};
}

absl::Status LocalStore::Cleanup(int64_t used_before_ns) {
  absl::Status result = journal_.RemoveWrittenBefore(used_before_ns);
  result.Update(journal_.Trim());
  for (int shard = 0; shard < kShards; ++shard) {
    result.Update(Evict(shard, kHexDigits, ShardShare(), used_before_ns).status());
  }
  return result;
}

// Evicting to 80% of the share leaves room for the next many saves before the next eviction. A
// shard of few files is scanned whole. A larger one is evicted a subdirectory per save, the one
// the save wrote to, down to 80% of its 16th of the share: each save scans a 16th of the shard,
// where a whole pass over a shard of 10,000 entries scanned them in some 25 ms and spent up to
// seconds unlinking 2,000. At most kMaxRemovalsPerSave entries go per save.
absl::Status LocalStore::EvictStep(int shard, int subdir, int64_t shard_files) {
  const Amounts share = ShardShare();
  const Amounts target = {share.size - share.size / 5, share.files - share.files / 5};
  if (shard_files <= static_cast<int64_t>(settings_.whole_shard_files)) {
    return Evict(shard, kHexDigits, target, INT64_MIN, kMaxRemovalsPerSave).status();
  }
  absl::StatusOr<bool> removed =
      Evict(shard, absl::string_view(&kHexDigits[subdir], 1),
            {target.size / kShards, target.files / kShards}, INT64_MIN, kMaxRemovalsPerSave);
  if (!removed.ok() || *removed) return removed.status();
  // The subdirectory is within its part while the shard's counters say the shard is over its
  // share: the counters drifted (see Save), or the other subdirectories hold more than theirs.
  // A whole pass settles both, and recounts.
  return Evict(shard, kHexDigits, target, INT64_MIN, kMaxRemovalsPerSave).status();
}

absl::StatusOr<bool> LocalStore::Evict(int shard, absl::string_view subdirs, Amounts target,
                                       int64_t used_before_ns, uint64_t max_removals) {
  absl::StatusOr<SharedCounters*> counters = Counters();
  if (!counters.ok()) return counters.status();
  const std::string lock_relative =
      absl::StrCat(absl::string_view(&kHexDigits[shard], 1), "/.lock");
  const std::string lock_path = absl::StrCat(root_, "/", lock_relative);
  ScopedUmask cache_umask(settings_.umask);
  ScopedFd lock(OpenBeneath(root_, lock_relative, O_RDWR | O_CREAT, 0666));
  if (lock.get() < 0) {
    if (errno != ENOENT) return BeneathStatus("open", root_, lock_relative);
    // No shard directory, so no entries.
    (*counters)->Set(SizeSlot(shard), 0);
    (*counters)->Set(FilesSlot(shard), 0);
    return false;
  }
  if (flock(lock.get(), LOCK_EX | LOCK_NB) != 0) {
    // Another process is evicting this shard: counted as done, as nothing more is to be done.
    if (errno == EWOULDBLOCK) return true;
    return ErrnoStatus("flock", lock_path);
  }

  struct timespec now;
  clock_gettime(CLOCK_REALTIME, &now);
  std::vector<FoundFile> entries;
  absl::Status scan =
      ForEachShardFile(root_, shard, subdirs, [&](absl::string_view name, FoundFile file) {
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
  for (const FoundFile& entry : entries) size += AllocatedBytes(entry.st);
  uint64_t files = entries.size();
  const Amounts found = {size, files};
  absl::Status result;
  for (const FoundFile& entry : entries) {
    int64_t used_ns = int64_t{entry.st.st_mtim.tv_sec} * 1'000'000'000 + entry.st.st_mtim.tv_nsec;
    if (size <= target.size && files <= target.files && used_ns >= used_before_ns) break;
    if (found.files - files >= max_removals) break;
    if (unlink(entry.path.c_str()) != 0 && errno != ENOENT) {
      result.Update(ErrnoStatus("unlink", entry.path));
      continue;
    }
    size -= AllocatedBytes(entry.st);
    --files;
  }
  if (subdirs.size() == kShards) {
    // Setting rather than adjusting the counters repairs whatever drift races have caused.
    (*counters)->Set(SizeSlot(shard), size);
    (*counters)->Set(FilesSlot(shard), files);
  } else {
    (*counters)->Add(SizeSlot(shard), -static_cast<int64_t>(found.size - size));
    (*counters)->Add(FilesSlot(shard), -static_cast<int64_t>(found.files - files));
  }
  if (!result.ok()) return result;
  return files < found.files;
}

}  // namespace ddcc
