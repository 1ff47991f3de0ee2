// Counters shared by concurrent processes without a lock: a memory-mapped file of 64-bit slots,
// each updated with an atomic add. Opening costs one open() and one mmap().
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/status/statusor.h"

namespace ddcc {

class SharedCounters {
 public:
  // Creates the file (zero-filled) when missing. A file of another size is grown to `slots`. A
  // file this process may only read is mapped as a private copy: read as it is, added to in
  // this process only.
  static absl::StatusOr<SharedCounters> Open(const std::string& path, size_t slots);

  SharedCounters(SharedCounters&& other) noexcept;
  SharedCounters& operator=(SharedCounters&& other) noexcept;
  ~SharedCounters();

  void Add(size_t slot, int64_t delta);
  uint64_t Get(size_t slot) const;
  void Set(size_t slot, uint64_t value);
  size_t slots() const { return slots_; }
  // False for a private copy: what is written stays this process's.
  bool shared() const { return shared_; }

 private:
  SharedCounters(uint64_t* base, size_t slots, bool shared)
      : base_(base), slots_(slots), shared_(shared) {}
  uint64_t* base_ = nullptr;
  size_t slots_ = 0;
  bool shared_ = false;
};

}  // namespace ddcc
