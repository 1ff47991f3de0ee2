#include "cache/store/counters.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <utility>

#include "absl/status/status.h"
#include "cache/util/files.h"

namespace ddcc {

absl::StatusOr<SharedCounters> SharedCounters::Open(const std::string& path, size_t slots) {
  if (slots == 0) return absl::InvalidArgumentError("SharedCounters need at least one slot");
  // Not through a symlink planted in the cache: the counters are written through the mapping.
  int opened = open(path.c_str(), O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0666);
  // Where the file may only be read (another user's cache, a read-only mount): a private copy,
  // whose counts read as the file's, and what this process adds stays its own.
  const bool read_only = opened < 0 && (errno == EACCES || errno == EROFS || errno == EPERM);
  if (read_only) opened = open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  ScopedFd fd(opened);
  if (fd.get() < 0) return ErrnoStatus("open", path);
  struct stat st;
  if (fstat(fd.get(), &st) != 0) return ErrnoStatus("fstat", path);
  if (!S_ISREG(st.st_mode)) return absl::FailedPreconditionError(path + ": not a regular file");
  const size_t size = slots * sizeof(uint64_t);
  if (read_only) {
    // A shorter file cannot be grown: mapped past its end, a read would be SIGBUS.
    if (static_cast<size_t>(st.st_size) < size) {
      return absl::FailedPreconditionError(path + ": read-only and too short");
    }
    void* base = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd.get(), 0);
    if (base == MAP_FAILED) return ErrnoStatus("mmap", path);
    return SharedCounters(static_cast<uint64_t*>(base), slots, /*shared=*/false);
  }
  // Processes racing here all grow the file to the same size, and growing zero-fills, so no
  // lock is needed. A larger file is left as it is; we map only our slots. The blocks are
  // allocated now, not by the first write through the mapping: on a full disk that write would
  // kill the process with SIGBUS, where this fails with ENOSPC.
  if (static_cast<size_t>(st.st_size) < size || static_cast<size_t>(st.st_blocks) * 512 < size) {
    if (int error = posix_fallocate(fd.get(), 0, size); error != 0) {
      errno = error;
      return ErrnoStatus("fallocate", path);
    }
  }
  void* base = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd.get(), 0);
  if (base == MAP_FAILED) return ErrnoStatus("mmap", path);
  return SharedCounters(static_cast<uint64_t*>(base), slots, /*shared=*/true);
}

SharedCounters::SharedCounters(SharedCounters&& other) noexcept
    : base_(std::exchange(other.base_, nullptr)),
      slots_(std::exchange(other.slots_, 0)),
      shared_(other.shared_) {}

SharedCounters& SharedCounters::operator=(SharedCounters&& other) noexcept {
  if (this != &other) {
    if (base_ != nullptr) munmap(base_, slots_ * sizeof(uint64_t));
    base_ = std::exchange(other.base_, nullptr);
    slots_ = std::exchange(other.slots_, 0);
    shared_ = other.shared_;
  }
  return *this;
}

SharedCounters::~SharedCounters() {
  if (base_ != nullptr) munmap(base_, slots_ * sizeof(uint64_t));
}

// Relaxed order is enough: each slot is an independent tally, read by nobody who needs it to be
// ordered with anything else.
void SharedCounters::Add(size_t slot, int64_t delta) {
  std::atomic_ref<uint64_t>(base_[slot])
      .fetch_add(static_cast<uint64_t>(delta), std::memory_order_relaxed);
}

uint64_t SharedCounters::Get(size_t slot) const {
  return std::atomic_ref<uint64_t>(base_[slot]).load(std::memory_order_relaxed);
}

void SharedCounters::Set(size_t slot, uint64_t value) {
  std::atomic_ref<uint64_t>(base_[slot]).store(value, std::memory_order_relaxed);
}

}  // namespace ddcc
