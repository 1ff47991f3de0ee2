// A remote store: bytes under keys on a server that a team and its CI share. The layered store
// (cache/layered_store.h) asks remotes after the local store and checks what they answer.
#pragma once

#include <functional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "cache/util/hash.h"

namespace ddcc {

// What one remote lookup or write came to, for the statistics.
enum class RemoteOutcome {
  kHit,
  kMiss,
  kError,  // a failure, or an answer that is not a sound entry
  kTimeout,
};

// Requests run on the libuv loop the backend was made with, so that the layered store can ask
// every remote at once and wait for all of them on one loop; a backend has at most one request
// under way. `done` is called exactly once, perhaps before the Start call returns, perhaps in
// Settle, and at the latest when the remote's timeouts run out.
class RemoteBackend {
 public:
  // The bytes stored under the key, unchecked. NotFound when absent; DeadlineExceeded when the
  // remote took longer than its timeout; any other error when it failed otherwise.
  using GetDone = std::function<void(absl::StatusOr<std::string>)>;
  // Errors as for GetDone.
  using PutDone = std::function<void(absl::Status)>;

  virtual ~RemoteBackend() = default;

  virtual void StartGet(const Digest& key, GetDone done) = 0;
  virtual void StartPut(const Digest& key, absl::string_view bytes, PutDone done) = 0;
  // For a backend that waits for its answers itself rather than on the loop (the storage
  // helper's): waits for the request started, which may go on on the loop. The layered store
  // starts every remote's request before it settles any, so that they are under way at once.
  virtual void Settle() {}
};

}  // namespace ddcc
