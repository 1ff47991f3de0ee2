// After a remote fails, every ddcc process on the machine leaves it alone for a while: a dead
// server must not cost each compile of a build its timeout. The time of the last failure is kept
// in a small file per remote in the cache directory.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>

#include "absl/strings/string_view.h"

namespace ddcc {

// Long enough that a build's thousands of compiles pay a dead server's timeout a handful of
// times; short enough that a restarted server is used again within the minute.
inline constexpr int64_t kRemoteBackoffNs = 30'000'000'000;

class RemoteBackoff {
 public:
  // The file is named by a hash of the URL, which may hold a password; it is created with
  // `umask` (the cache's).
  RemoteBackoff(const std::string& cache_dir, absl::string_view url, std::optional<mode_t> umask);

  // Whether the remote failed less than kRemoteBackoffNs ago.
  bool Active() const;
  // Best effort: a failure to record it costs only another timeout.
  void RecordFailure() const;

 private:
  bool DirUsable() const;

  std::string dir_;
  std::string path_;
  std::optional<mode_t> umask_;
};

}  // namespace ddcc
