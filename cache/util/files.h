// Small file-system utilities shared by the store, the configuration and the launcher.
#pragma once

#include <sys/stat.h>
#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace ddcc {

// ReadAll of a regular file, opened with O_NONBLOCK: a FIFO or device put in place of one of
// ddcc's own files (an entry, the journal, a memo) is DataLoss, where reading it would wait.
absl::StatusOr<std::string> ReadRegular(int fd, const std::string& path);

absl::StatusOr<std::string> ReadFile(const std::string& path);
// realpath(3): absolute, with no link, "." or ".." left.
absl::StatusOr<std::string> RealPath(const std::string& path);
// Reads what is left of an open file; `path` is for messages.
absl::StatusOr<std::string> ReadAll(int fd, const std::string& path);

// Every temporary file ddcc makes is named "<path>.ddcc-tmp.<pid>.<16 hex digits>" (the file's
// name cut to 218 bytes, so that the whole stays a name the file system takes): beside the file
// it will replace, so a rename puts it in place; private to one process; and never ending in the
// real file's suffix, so a build's glob (*.o) cannot pick up one a killed ddcc left.
inline constexpr absl::string_view kTempMarker = ".ddcc-tmp.";
absl::StatusOr<std::string> TempPathFor(absl::string_view path);

// Whether the file system holding `path` (on `device`) changes a file's stamp with every change
// of it, as a local one changes ctime: not sshfs and other FUSE file systems (ctime is mtime, in
// whole seconds, and a file replaced keeps its inode), nor SMB. Asked once per device.
bool StampsShowChanges(uint64_t device, const std::string& path);
// The same for the file at `path` (true where it cannot be stat()ed: nothing is read there).
bool StampsShowChangesAt(const std::string& path);

// A temporary file this old belongs to a process that died: a live writer renames or removes
// its own within the compile's time.
inline constexpr int64_t kStaleTempSeconds = 3600;

// Removes `path`'s temporary files (TempPathFor) older than kStaleTempSeconds. Best effort.
void RemoveStaleTempFiles(const std::string& path);

// Writes `data` to a temporary file beside `path`, then renames it into place, so a reader sees
// either the old file or the whole new one, never a part.
absl::Status WriteFileAtomic(const std::string& path, absl::string_view data);

// What a file occupies on disk, as `du` counts it: whole allocated blocks, not its length. Size
// limits are about the disk, and a small entry takes a whole block (4 KiB on ext4).
uint64_t AllocatedBytes(const struct stat& st);

// mkdir -p.
absl::Status MakeDirs(const std::string& path);

// An absl::Status carrying errno's message, e.g. ErrnoStatus("open", path).
absl::Status ErrnoStatus(absl::string_view what, absl::string_view path);

// What stat() says of a file, enough to tell that it has not changed since: any write changes
// ctime, which no one can set back, and times are in nanoseconds.
struct FileStamp {
  uint64_t device = 0;
  uint64_t inode = 0;
  uint64_t size = 0;
  int64_t mtime_ns = 0;
  int64_t ctime_ns = 0;
  bool operator==(const FileStamp&) const = default;
};

// The latest time the file may have last changed, as far as `now_ns` can tell: its ctime, and
// its mtime unless that lies past `now_ns` by more than the file clock's slack. A write stamps
// both with the time of the write, so such an mtime was set by hand (`touch -d`, a tarball made
// where the clock ran ahead) and says nothing of when the content changed; setting it moved the
// ctime. Stamps in whole seconds (a file system that keeps no finer ones) may be two seconds
// behind the write.
int64_t LastChangeNs(const FileStamp& stamp, int64_t now_ns);

// NotFound when the path does not exist (or a component of it is not a directory).
absl::StatusOr<FileStamp> StampFile(const std::string& path);
// The stamp of what is at `path` itself: FailedPrecondition for a symbolic link.
absl::StatusOr<FileStamp> StampOwnFile(const std::string& path);

// `path` made absolute from the working directory (getcwd(), where the kernel resolves relative
// paths from) and lexically normal; "" where the working directory cannot be had.
std::string AbsoluteNormalPath(const std::string& path);

// Whether no symbolic link lies on the way to a path: on each directory from the root (a
// relative path taken from the working directory, as getcwd() gives it), "." and ".." taken as
// written. Where none does, the path is its own real path but for "." and "..". Each directory
// is asked once.
class LinkFreeWays {
 public:
  // The directories on the way, each a `..` leaves included.
  bool DirectoryLinkFree(const std::string& dir);
  // The directories on the way, and `path` itself.
  bool LinkFree(const std::string& path);
  // The latest change (LastChangeNs, at `now_ns`) of a symbolic link, or a directory renamed,
  // on the way to `path` (each directory a `..` leaves included) or at it, the way taken as
  // written (where a link leads is not walked);
  // 0 where none is. Either leaves the files below with the stamps they had.
  int64_t NewestWayChangeNs(const std::string& path, int64_t now_ns);

 private:
  // `path` made absolute from the working directory, lexically normal, without a trailing '/'.
  std::string AbsoluteNormal(const std::string& path);
  std::vector<std::string> LeftByDotDot(const std::string& path);
  bool AbsoluteLinkFree(const std::string& dir);
  int64_t AbsoluteNewestWayChangeNs(const std::string& path, int64_t now_ns);

  std::string cwd_;
  absl::flat_hash_map<std::string, bool> asked_;           // as asked
  absl::flat_hash_map<std::string, bool> absolute_;        // lexically normal, absolute
  absl::flat_hash_map<std::string, int64_t> way_changes_;  // the same
};

// The name after the last '/' (all of `path` when there is none).
absl::string_view Basename(absl::string_view path);
// The directory `path` names an entry of: "." for a bare name, "/" for a name at the root.
std::string DirectoryOf(absl::string_view path);

// The names in a directory, "." and ".." left out; an error where it cannot be read whole.
absl::StatusOr<std::vector<std::string>> ListDirectory(const std::string& dir);

// Whether `path` names a directory (following symbolic links).
bool IsDirectory(const std::string& path);
// Whether `path` itself is a directory, no symbolic link.
bool IsOwnDirectory(const std::string& path);
// Whether `path` itself is a symbolic link.
bool IsSymlink(const std::string& path);
// Whether nothing is at `path`, not even a dangling symbolic link.
bool NothingAt(const std::string& path);

// What is at a path, following symbolic links.
enum class PathKind { kNothing, kDanglingLink, kFile, kDirectory };
// One lstat() when nothing is there: direct mode asks it of thousands of absent paths.
absl::StatusOr<PathKind> KindOf(const std::string& path);

// The real-time clock, in nanoseconds, comparable with FileStamp times.
int64_t NowNs();

// File times come from a coarse clock that lags the real one by up to a tick (4 ms at HZ=250,
// as clock_getres of CLOCK_REALTIME_COARSE says): a file written after NowNs() returned t may
// still be stamped up to this much before t. Twice the tick and a millisecond: a generator that
// writes a source and starts the compile at once (Cython under setuptools: 16 ms) is not taken
// for an edit during the compile.
int64_t FileClockSlackNs();

// Waits, at most the slack, until each of `paths` was last changed longer than the slack ago, so
// that a change after the caller reads them shows in their times. For inputs written just
// before (cargo starts a crate as soon as its dependency's metadata is written): without the
// wait, they would count as changed during the compile, and nothing would be stored.
void WaitOutFreshStamps(const std::vector<std::string>& paths);
// The latest LastChangeNs among `paths` and the links and renamed directories on their ways
// (LinkFreeWays::NewestWayChangeNs), now; 0 for none.
int64_t NewestStampNs(const std::vector<std::string>& paths);
// The stamps of `paths`, in order (nullopt where there is none), and the latest LastChangeNs
// among them, now.
std::vector<std::optional<FileStamp>> StampFiles(const std::vector<std::string>& paths);
int64_t NewestChangeNs(const std::vector<std::optional<FileStamp>>& stamps);

// Sets the process's umask for the scope, when `mask` holds one, and then puts the old one back:
// files made in the cache take the cache's umask, the build's outputs and the compiler the
// user's.
class ScopedUmask {
 public:
  explicit ScopedUmask(std::optional<mode_t> mask);
  ~ScopedUmask();
  ScopedUmask(const ScopedUmask&) = delete;
  ScopedUmask& operator=(const ScopedUmask&) = delete;

 private:
  std::optional<mode_t> old_;
};

// Owns a file descriptor and closes it when it goes out of scope.
class ScopedFd {
 public:
  explicit ScopedFd(int fd) : fd_(fd) {}
  ~ScopedFd();
  ScopedFd(const ScopedFd&) = delete;
  ScopedFd& operator=(const ScopedFd&) = delete;

  int get() const { return fd_; }
  // Closes now and returns close()'s result: a write's error may only show here.
  int Close();

 private:
  int fd_;
};

}  // namespace ddcc
