// A remote store: bytes under keys on a server that a team and its CI share. The layered store
// (cache/layered_store.h) asks remotes after the local store and checks what they answer.
#pragma once

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "cache/hash.h"

namespace ddcc {

// What one remote lookup or write came to, for the statistics.
enum class RemoteOutcome {
  kHit,
  kMiss,
  kError,  // a failure, or an answer that is not a sound entry
  kTimeout,
};

class RemoteBackend {
 public:
  virtual ~RemoteBackend() = default;

  // The bytes stored under `key`, unchecked. NotFound when absent; DeadlineExceeded when the
  // remote took longer than its timeout; any other error when it failed otherwise.
  virtual absl::StatusOr<std::string> Get(const Digest& key) = 0;

  // Errors as for Get.
  virtual absl::Status Put(const Digest& key, absl::string_view bytes) = 0;
};

}  // namespace ddcc
