// Small file-system utilities shared by the store, the configuration and the launcher.
#pragma once

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace ddcc {

absl::StatusOr<std::string> ReadFile(const std::string& path);

// Writes `data` to a temporary file beside `path`, then renames it into place, so a reader sees
// either the old file or the whole new one, never a part.
absl::Status WriteFileAtomic(const std::string& path, absl::string_view data);

// mkdir -p.
absl::Status MakeDirs(const std::string& path);

// An absl::Status carrying errno's message, e.g. ErrnoStatus("open", path).
absl::Status ErrnoStatus(absl::string_view what, absl::string_view path);

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
