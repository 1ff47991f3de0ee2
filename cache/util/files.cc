#include "cache/util/files.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <ctime>
#include <filesystem>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "cache/util/signal_cleanup.h"

namespace ddcc {

ScopedUmask::ScopedUmask(std::optional<mode_t> mask) {
  if (mask) old_ = umask(*mask);
}

ScopedUmask::~ScopedUmask() {
  if (old_) umask(*old_);
}

ScopedFd::~ScopedFd() { Close(); }

int ScopedFd::Close() {
  if (fd_ < 0) return 0;
  int result = close(fd_);
  fd_ = -1;
  return result;
}

absl::Status ErrnoStatus(absl::string_view what, absl::string_view path) {
  int error = errno;
  std::string message = absl::StrFormat("%s %s: %s", what, path, strerror(error));
  switch (error) {
    case ENOENT:
      return absl::NotFoundError(message);
    case ENOSPC:
      return absl::ResourceExhaustedError(message);
    case EACCES:
    case EPERM:
    case EROFS:
      return absl::PermissionDeniedError(message);
    default:
      return absl::InternalError(message);
  }
}

absl::StatusOr<std::string> RealPath(const std::string& path) {
  char real[PATH_MAX];
  if (realpath(path.c_str(), real) == nullptr) return ErrnoStatus("realpath", path);
  return std::string(real);
}

absl::StatusOr<std::string> ReadFile(const std::string& path) {
  ScopedFd fd(open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) return ErrnoStatus("open", path);
  return ReadAll(fd.get(), path);
}

absl::StatusOr<std::string> ReadRegular(int fd, const std::string& path) {
  struct stat st;
  if (fstat(fd, &st) != 0) return ErrnoStatus("fstat", path);
  if (!S_ISREG(st.st_mode)) return absl::DataLossError(absl::StrCat(path, " is no regular file"));
  return ReadAll(fd, path);
}

absl::StatusOr<std::string> ReadAll(int fd, const std::string& path) {
  struct stat st;
  if (fstat(fd, &st) != 0) return ErrnoStatus("fstat", path);

  // One byte more than the size, so that the read reaching end of file has room and returns 0.
  std::string data(st.st_size > 0 ? st.st_size + 1 : 4096, '\0');
  size_t used = 0;
  for (;;) {
    if (used == data.size()) data.resize(data.size() * 2);  // the file grew meanwhile
    ssize_t n = read(fd, data.data() + used, data.size() - used);
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoStatus("read", path);
    }
    if (n == 0) break;
    used += n;
  }
  data.resize(used);
  return data;
}

namespace {

// "<path>.ddcc-tmp.", with the file's name cut short where the whole temporary name would be
// longer than a name may be (NAME_MAX): a pid takes up to 10 digits, the random part 16.
std::string TempPrefixFor(absl::string_view path) {
  constexpr size_t kLongestName = 255 - kTempMarker.size() - 10 - 1 - 16;
  const size_t slash = path.rfind('/');
  const size_t name_start = slash == absl::string_view::npos ? 0 : slash + 1;
  return absl::StrCat(path.substr(0, std::min(path.size(), name_start + kLongestName)),
                      kTempMarker);
}

}  // namespace

bool StampsShowChanges(uint64_t device, const std::string& path) {
  constexpr int64_t kFuse = 0x65735546, kCifs = 0xff534d42, kSmb2 = 0xfe534d42, kSmb = 0x517b;
  // ddcc runs no threads; never destroyed, as a static must not be at exit.
  static auto* known = new absl::flat_hash_map<uint64_t, bool>;
  if (auto it = known->find(device); it != known->end()) return it->second;
  struct statfs fs;
  if (statfs(path.c_str(), &fs) != 0) return false;  // not remembered: perhaps gone for now
  const int64_t type = static_cast<int64_t>(fs.f_type) & 0xffffffff;
  const bool shows = type != kFuse && type != kCifs && type != kSmb2 && type != kSmb;
  known->emplace(device, shows);
  return shows;
}

bool StampsShowChangesAt(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) != 0 || StampsShowChanges(st.st_dev, path);
}

absl::StatusOr<std::string> TempPathFor(absl::string_view path) {
  uint64_t random;
  if (getrandom(&random, sizeof(random), 0) != sizeof(random)) {
    return ErrnoStatus("getrandom for", path);
  }
  return absl::StrFormat("%s%d.%016x", TempPrefixFor(path), getpid(), random);
}

void RemoveStaleTempFiles(const std::string& path) {
  size_t slash = path.rfind('/');
  std::string dir_path = slash == std::string::npos ? "." : path.substr(0, slash + 1);
  std::string prefix = TempPrefixFor(path).substr(slash + 1);
  DIR* dir = opendir(dir_path.c_str());
  if (dir == nullptr) return;
  const time_t stale_before = time(nullptr) - kStaleTempSeconds;
  while (const dirent* item = readdir(dir)) {
    struct stat st;
    if (!absl::StartsWith(item->d_name, prefix) ||
        fstatat(dirfd(dir), item->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
      continue;
    }
    if (S_ISREG(st.st_mode) && st.st_mtim.tv_sec < stale_before) {
      unlinkat(dirfd(dir), item->d_name, 0);
    }
  }
  closedir(dir);
}

absl::Status WriteFileAtomic(const std::string& path, absl::string_view data) {
  absl::StatusOr<std::string> temp = TempPathFor(path);
  if (!temp.ok()) return temp.status();
  const std::string& temp_path = *temp;
  RemovedOnSignal removed_on_signal(temp_path);
  ScopedFd fd(open(temp_path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666));
  if (fd.get() < 0) return ErrnoStatus("create", temp_path);

  auto fail = [&temp_path](absl::string_view what) {
    absl::Status status = ErrnoStatus(what, temp_path);
    unlink(temp_path.c_str());
    return status;
  };
  while (!data.empty()) {
    ssize_t n = write(fd.get(), data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      if (n == 0) errno = EIO;  // a regular file never takes 0 bytes of a write; don't spin
      return fail("write");
    }
    data.remove_prefix(n);
  }
  // No fsync: a crash may leave a torn entry, and the entry checksum catches that.
  if (fd.Close() != 0) return fail("close");
  if (rename(temp_path.c_str(), path.c_str()) != 0) return fail("rename");
  return absl::OkStatus();
}

uint64_t AllocatedBytes(const struct stat& st) { return static_cast<uint64_t>(st.st_blocks) * 512; }

absl::Status MakeDirs(const std::string& path) {
  std::string dir = path;
  while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
  if (dir.empty()) return absl::OkStatus();

  if (mkdir(dir.c_str(), 0777) == 0) return absl::OkStatus();
  if (errno == ENOENT) {
    size_t slash = dir.rfind('/');
    if (slash != std::string::npos && slash > 0) {
      if (absl::Status status = MakeDirs(dir.substr(0, slash)); !status.ok()) return status;
    }
    if (mkdir(dir.c_str(), 0777) == 0) return absl::OkStatus();
  }
  if (errno != EEXIST) return ErrnoStatus("mkdir", dir);
  struct stat st;
  if (stat(dir.c_str(), &st) != 0) return ErrnoStatus("stat", dir);
  if (!S_ISDIR(st.st_mode)) {
    errno = ENOTDIR;
    return ErrnoStatus("mkdir", dir);
  }
  return absl::OkStatus();
}

int64_t FileClockSlackNs() {
  static const int64_t slack = [] {
    struct timespec tick;
    if (clock_getres(CLOCK_REALTIME_COARSE, &tick) != 0) return int64_t{20'000'000};
    return 2 * (int64_t{tick.tv_sec} * 1'000'000'000 + tick.tv_nsec) + 1'000'000;
  }();
  return slack;
}

int64_t LastChangeNs(const FileStamp& stamp, int64_t now_ns) {
  constexpr int64_t kSecond = 1'000'000'000;
  const int64_t changed = stamp.mtime_ns > now_ns + FileClockSlackNs()
                              ? stamp.ctime_ns
                              : std::max(stamp.mtime_ns, stamp.ctime_ns);
  // Whole seconds: a file system that keeps no finer times (ext4 with 128-byte inodes, FAT with
  // two-second mtimes) stamps a write made up to two seconds later alike.
  const bool coarse = stamp.mtime_ns % kSecond == 0 && stamp.ctime_ns % kSecond == 0;
  return coarse ? changed + 2 * kSecond : changed;
}

int64_t NewestStampNs(const std::vector<std::string>& paths) {
  int64_t newest = NewestChangeNs(StampFiles(paths));
  LinkFreeWays ways;
  const int64_t now = NowNs();
  for (const std::string& path : paths)
    newest = std::max(newest, ways.NewestWayChangeNs(path, now));
  return newest;
}

std::vector<std::optional<FileStamp>> StampFiles(const std::vector<std::string>& paths) {
  std::vector<std::optional<FileStamp>> stamps;
  stamps.reserve(paths.size());
  for (const std::string& path : paths) {
    absl::StatusOr<FileStamp> stamp = StampFile(path);
    stamps.push_back(stamp.ok() ? std::optional<FileStamp>(*stamp) : std::nullopt);
  }
  return stamps;
}

int64_t NewestChangeNs(const std::vector<std::optional<FileStamp>>& stamps) {
  const int64_t now = NowNs();
  int64_t newest = 0;
  for (const std::optional<FileStamp>& stamp : stamps) {
    if (stamp) newest = std::max(newest, LastChangeNs(*stamp, now));
  }
  return newest;
}

void WaitOutFreshStamps(const std::vector<std::string>& paths) {
  const int64_t newest = NewestStampNs(paths);
  const int64_t wait = std::min(newest + FileClockSlackNs() - NowNs(), FileClockSlackNs());
  if (wait <= 0) return;
  const struct timespec pause = {wait / 1'000'000'000, wait % 1'000'000'000};
  nanosleep(&pause, nullptr);
}

absl::string_view Basename(absl::string_view path) {
  size_t slash = path.rfind('/');
  return slash == absl::string_view::npos ? path : path.substr(slash + 1);
}

std::string DirectoryOf(absl::string_view path) {
  size_t slash = path.rfind('/');
  if (slash == absl::string_view::npos) return ".";
  return std::string(slash == 0 ? "/" : path.substr(0, slash));
}

bool IsSymlink(const std::string& path) {
  struct stat st;
  return lstat(path.c_str(), &st) == 0 && S_ISLNK(st.st_mode);
}

absl::StatusOr<std::vector<std::string>> ListDirectory(const std::string& dir) {
  DIR* stream = opendir(dir.c_str());
  if (stream == nullptr) return ErrnoStatus("opendir", dir);
  std::vector<std::string> names;
  errno = 0;
  while (const dirent* item = readdir(stream)) {
    const absl::string_view name = item->d_name;
    if (name != "." && name != "..") names.emplace_back(name);
  }
  const int error = errno;
  closedir(stream);
  if (error != 0) {
    errno = error;
    return ErrnoStatus("readdir", dir);
  }
  return names;
}

bool NothingAt(const std::string& path) {
  struct stat st;
  return lstat(path.c_str(), &st) != 0 && (errno == ENOENT || errno == ENOTDIR);
}

absl::StatusOr<PathKind> KindOf(const std::string& path) {
  struct stat st;
  if (lstat(path.c_str(), &st) != 0) {
    if (errno == ENOENT || errno == ENOTDIR) return PathKind::kNothing;
    return ErrnoStatus("lstat", path);
  }
  if (S_ISLNK(st.st_mode) && stat(path.c_str(), &st) != 0) {
    if (errno == ENOENT || errno == ENOTDIR) return PathKind::kDanglingLink;
    return ErrnoStatus("stat", path);
  }
  return S_ISDIR(st.st_mode) ? PathKind::kDirectory : PathKind::kFile;
}

bool IsOwnDirectory(const std::string& path) {
  struct stat st;
  return lstat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

bool IsDirectory(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

namespace {

FileStamp StampOf(const struct stat& st) {
  auto ns = [](const struct timespec& t) { return int64_t{t.tv_sec} * 1000000000 + t.tv_nsec; };
  return FileStamp{.device = static_cast<uint64_t>(st.st_dev),
                   .inode = static_cast<uint64_t>(st.st_ino),
                   .size = static_cast<uint64_t>(st.st_size),
                   .mtime_ns = ns(st.st_mtim),
                   .ctime_ns = ns(st.st_ctim)};
}

absl::StatusOr<FileStamp> Stamp(const std::string& path, bool follow_links) {
  struct stat st;
  if ((follow_links ? stat(path.c_str(), &st) : lstat(path.c_str(), &st)) != 0) {
    // Direct mode stats thousands of paths that must be absent: keep that case cheap.
    if (errno == ENOENT || errno == ENOTDIR) return absl::NotFoundError(path);
    return ErrnoStatus("stat", path);
  }
  if (S_ISLNK(st.st_mode)) {
    return absl::FailedPreconditionError(absl::StrCat(path, " is a symbolic link"));
  }
  return StampOf(st);
}

}  // namespace

absl::StatusOr<FileStamp> StampFile(const std::string& path) { return Stamp(path, true); }

absl::StatusOr<FileStamp> StampOwnFile(const std::string& path) { return Stamp(path, false); }

namespace {

std::string AbsoluteNormalFrom(const std::string& cwd, const std::string& path) {
  const std::string absolute = absl::StartsWith(path, "/") ? path : absl::StrCat(cwd, "/", path);
  std::string normal = std::filesystem::path(absolute).lexically_normal().string();
  if (normal.size() > 1 && normal.back() == '/') normal.pop_back();
  return normal;
}

std::string WorkingDirectory() {
  char buffer[PATH_MAX];
  return getcwd(buffer, sizeof(buffer)) == nullptr ? "" : buffer;
}

}  // namespace

std::string AbsoluteNormalPath(const std::string& path) {
  if (absl::StartsWith(path, "/")) return AbsoluteNormalFrom("", path);
  const std::string cwd = WorkingDirectory();
  return cwd.empty() ? "" : AbsoluteNormalFrom(cwd, path);
}

std::string LinkFreeWays::AbsoluteNormal(const std::string& path) {
  if (!absl::StartsWith(path, "/") && cwd_.empty()) {
    cwd_ = WorkingDirectory();
    if (cwd_.empty()) return "";
  }
  return AbsoluteNormalFrom(cwd_, path);
}

// The directories `..` components of `path` leave (`src` of `src/../include`): on the way,
// though not on the normal path; were one a link, its `..` would lead elsewhere.
std::vector<std::string> LinkFreeWays::LeftByDotDot(const std::string& path) {
  std::vector<std::string> left;
  for (size_t at = path.find(".."); at != std::string::npos; at = path.find("..", at + 2)) {
    if ((at == 0 || path[at - 1] == '/') && (at + 2 == path.size() || path[at + 2] == '/')) {
      left.push_back(AbsoluteNormal(at == 0 ? "." : path.substr(0, at)));
    }
  }
  return left;
}

bool LinkFreeWays::DirectoryLinkFree(const std::string& dir) {
  auto [known, added] = asked_.try_emplace(dir, false);
  if (!added) return known->second;
  bool link_free = AbsoluteLinkFree(AbsoluteNormal(dir));
  for (const std::string& left : LeftByDotDot(dir)) link_free = link_free && AbsoluteLinkFree(left);
  asked_[dir] = link_free;
  return link_free;
}

int64_t LinkFreeWays::NewestWayChangeNs(const std::string& path, int64_t now_ns) {
  int64_t newest = AbsoluteNewestWayChangeNs(AbsoluteNormal(path), now_ns);
  for (const std::string& left : LeftByDotDot(path)) {
    newest = std::max(newest, AbsoluteNewestWayChangeNs(left, now_ns));
  }
  return newest;
}

int64_t LinkFreeWays::AbsoluteNewestWayChangeNs(const std::string& path, int64_t now_ns) {
  if (path == "/" || !absl::StartsWith(path, "/")) return 0;
  if (auto known = way_changes_.find(path); known != way_changes_.end()) return known->second;
  int64_t newest = AbsoluteNewestWayChangeNs(DirectoryOf(path), now_ns);
  struct stat st;
  if (lstat(path.c_str(), &st) == 0) {
    // A directory's times move together as entries come and go; its ctime alone moves when it
    // is renamed (or its mode changes).
    const FileStamp stamp = StampOf(st);
    if (S_ISLNK(st.st_mode) || (S_ISDIR(st.st_mode) && stamp.ctime_ns > stamp.mtime_ns)) {
      newest = std::max(newest, LastChangeNs(stamp, now_ns));
    }
  }
  way_changes_.emplace(path, newest);
  return newest;
}

bool LinkFreeWays::AbsoluteLinkFree(const std::string& dir) {
  if (dir == "/") return true;
  if (!absl::StartsWith(dir, "/")) return false;
  if (auto known = absolute_.find(dir); known != absolute_.end()) return known->second;
  struct stat st;
  const bool link_free =
      AbsoluteLinkFree(DirectoryOf(dir)) && lstat(dir.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
  absolute_.emplace(dir, link_free);
  return link_free;
}

bool LinkFreeWays::LinkFree(const std::string& path) {
  struct stat st;
  return DirectoryLinkFree(DirectoryOf(path)) && lstat(path.c_str(), &st) == 0 &&
         !S_ISLNK(st.st_mode);
}

int64_t NowNs() {
  struct timespec now;
  clock_gettime(CLOCK_REALTIME, &now);
  return int64_t{now.tv_sec} * 1000000000 + now.tv_nsec;
}

}  // namespace ddcc
