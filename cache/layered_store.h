// The storage a compile uses: the local store, then each remote store in the configured order.
// A remote's answer is checked exactly as a local entry is, and a remote hit is kept locally; a
// new entry goes to the local store and to every writable remote. A remote that fails is not
// asked again by this process, nor for a while by any other (cache/remote_backoff.h).
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "cache/config.h"
#include "cache/entry.h"
#include "cache/hash.h"
#include "cache/remote.h"
#include "cache/remote_backoff.h"
#include "cache/remote_spec.h"
#include "cache/store.h"

namespace ddcc {

using RemoteCounter = std::function<void(RemoteOutcome)>;

class LayeredStore {
 public:
  LayeredStore(const Config& config, RemoteCounter count);
  ~LayeredStore();

  // As LocalStore::Load. A remote is asked only when the local store has no entry; a remote's
  // failure or bad answer is counted and logged, and the result is then NotFound.
  absl::StatusOr<Entry> Load(const Digest& key);

  // The local store's result; the remotes' failures are counted and logged only.
  absl::Status Save(const Digest& key, const Entry& entry);

  // From the local store only: a damaged entry there may have been copied from a remote, which
  // a client cannot tell is damaged for everyone, and a read-only client may not change.
  absl::Status Remove(const Digest& key);

 private:
  struct Remote {
    RemoteSpec spec;
    RemoteBackoff backoff;
    std::unique_ptr<RemoteBackend> backend;  // made on first use
    bool down = false;                       // failed, or failed recently in another process
  };

  RemoteBackend* Usable(Remote& remote);
  std::optional<Entry> LoadFrom(Remote& remote, const Digest& key);
  void Failed(Remote& remote, const absl::Status& status);

  LocalStore local_;
  int compression_level_;
  RemoteCounter count_;
  std::vector<Remote> remotes_;
};

}  // namespace ddcc
