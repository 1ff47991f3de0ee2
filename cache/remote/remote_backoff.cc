// Layout: <cache_dir>/remote-failures/<32 hex digits of the URL's hash>, holding the wall-clock
// time of the last failure in nanoseconds, written atomically.
#include "cache/remote/remote_backoff.h"

#include <fcntl.h>
#include <sys/stat.h>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "cache/util/files.h"
#include "cache/util/hash.h"
#include "cache/util/log.h"

namespace ddcc {

RemoteBackoff::RemoteBackoff(const std::string& cache_dir, absl::string_view url,
                             std::optional<mode_t> umask)
    : dir_(cache_dir + "/remote-failures"), umask_(umask) {
  Hasher hasher;
  hasher.Field(url);
  path_ = absl::StrCat(dir_, "/", hasher.Finish().Hex());
}

// As everywhere in the cache, a symlink planted in place of the directory or the file is not
// followed: it could lead reads and writes anywhere.
bool RemoteBackoff::DirUsable() const {
  struct stat st;
  return lstat(dir_.c_str(), &st) != 0 || S_ISDIR(st.st_mode);
}

bool RemoteBackoff::Active() const {
  if (!DirUsable()) return false;
  ScopedFd fd(open(path_.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC));
  if (fd.get() < 0) return false;
  absl::StatusOr<std::string> text = ReadRegular(fd.get(), path_);
  int64_t failed_ns = 0;
  if (!text.ok() || !absl::SimpleAtoi(*text, &failed_ns)) return false;
  // A time in the future (the clock was set back) would keep the remote off for good.
  const int64_t now = NowNs();
  return failed_ns <= now && now - failed_ns < kRemoteBackoffNs;
}

void RemoteBackoff::RecordFailure() const {
  if (!DirUsable()) {
    Log(absl::StrCat("cannot record a remote's failure: ", dir_, " is not a directory"));
    return;
  }
  ScopedUmask cache_umask(umask_);
  absl::Status status = MakeDirs(dir_);
  // The rename replaces a symlink at path_ rather than writing through it.
  if (status.ok()) status = WriteFileAtomic(path_, absl::StrCat(NowNs()));
  if (!status.ok()) Log(absl::StrCat("cannot record a remote's failure: ", status.message()));
}

}  // namespace ddcc
