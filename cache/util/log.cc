#include "cache/util/log.h"

#include <fcntl.h>
#include <time.h>
#include <unistd.h>

#include "absl/strings/str_format.h"

namespace ddcc {
namespace {

int log_fd = -1;

// A failing compile's stderr is part of its line, and a header recursion can print gigabytes:
// the log keeps a line's start, enough to tell what happened, and says how much it left out.
constexpr size_t kMaxMessageBytes = 4096;

}  // namespace

void OpenLog(const std::string& path) {
  if (log_fd >= 0) close(log_fd);
  // A log that cannot be opened stays off: ddcc must not fail a compile over its own log.
  log_fd = path.empty() ? -1 : open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0666);
}

void Log(absl::string_view message) {
  if (log_fd < 0) return;
  struct timespec now;
  clock_gettime(CLOCK_REALTIME, &now);
  struct tm local;
  localtime_r(&now.tv_sec, &local);
  char date_time[32];
  strftime(date_time, sizeof(date_time), "%Y-%m-%dT%H:%M:%S", &local);
  std::string cut;
  if (message.size() > kMaxMessageBytes) {
    cut = absl::StrFormat(" ... (%d bytes more)", message.size() - kMaxMessageBytes);
    message = message.substr(0, kMaxMessageBytes);
  }
  // One write() per line: with O_APPEND, lines from concurrent processes never interleave.
  std::string line =
      absl::StrFormat("[%s.%06d %d] %s%s\n", date_time, now.tv_nsec / 1000, getpid(), message, cut);
  ssize_t written = write(log_fd, line.data(), line.size());
  (void)written;  // a failed log write has nowhere to be reported
}

}  // namespace ddcc
