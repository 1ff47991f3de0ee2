// Layout: <cache_dir>/remote-failures/<32 hex digits of the URL's hash>, holding the wall-clock
// time of the last failure in nanoseconds, written atomically.
#include "cache/remote_backoff.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "cache/files.h"
#include "cache/hash.h"
#include "cache/log.h"

namespace ddcc {

RemoteBackoff::RemoteBackoff(const std::string& cache_dir, absl::string_view url) {
  Hasher hasher;
  hasher.Field(url);
  path_ = absl::StrCat(cache_dir, "/remote-failures/", hasher.Finish().Hex());
}

bool RemoteBackoff::Active() const {
  absl::StatusOr<std::string> text = ReadFile(path_);
  int64_t failed_ns = 0;
  if (!text.ok() || !absl::SimpleAtoi(*text, &failed_ns)) return false;
  // A time in the future (the clock was set back) would keep the remote off for good.
  const int64_t now = NowNs();
  return failed_ns <= now && now - failed_ns < kRemoteBackoffNs;
}

void RemoteBackoff::RecordFailure() const {
  absl::Status status = MakeDirs(path_.substr(0, path_.rfind('/')));
  if (status.ok()) status = WriteFileAtomic(path_, absl::StrCat(NowNs()));
  if (!status.ok()) Log(absl::StrCat("cannot record a remote's failure: ", status.message()));
}

}  // namespace ddcc
