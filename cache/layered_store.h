// The storage a compile uses: the local store, then the remote stores. The remotes are asked all
// at once, on one libuv loop, and the first in the configured order that has a sound entry
// serves it. A remote's answer is checked exactly as a local entry is, and a remote hit is kept
// locally; a new entry goes to the local store and to every writable remote at once. A remote
// that fails is not asked again by this process, nor for a while by any other
// (cache/remote/remote_backoff.h).
#pragma once

#include <uv.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "cache/remote/remote.h"
#include "cache/remote/remote_backoff.h"
#include "cache/remote/remote_spec.h"
#include "cache/store/entry.h"
#include "cache/store/store.h"
#include "cache/util/hash.h"

namespace ddcc {

using RemoteCounter = std::function<void(RemoteOutcome)>;
// The loop the remotes' backends run on, made when first asked for; nullptr when libuv cannot
// make one (out of file descriptors).
using LoopSource = std::function<uv_loop_t*()>;
// Makes the backend for the `index`th remote, running on `loop`'s loop if it needs one; nullptr
// when it cannot be made.
using BackendMaker = std::function<std::unique_ptr<RemoteBackend>(
    size_t index, const RemoteSpec& spec, const LoopSource& loop)>;

// The backend for the URL's scheme, connecting to the remote itself.
std::unique_ptr<RemoteBackend> MakeBackend(const RemoteSpec& spec, uv_loop_t* loop);

class LayeredStore {
 public:
  // The local store at `root`, then `remotes` in order, each through a backend of `make`'s (the
  // storage helper's, a test's fakes); without one, MakeBackend's.
  LayeredStore(std::string root, const StoreSettings& settings, std::vector<RemoteSpec> remotes,
               RemoteCounter count, BackendMaker make = {});
  ~LayeredStore();

  // As LocalStore::Load. The remotes are asked only when the local store has no entry; their
  // failures and bad answers are counted and logged, and count as misses.
  absl::StatusOr<Entry> Load(const Digest& key);

  struct Fetched {
    Entry entry;
    std::string remote_bytes;  // a remote's answer, as it came; empty for a local entry
  };
  // As Load, but a remote hit is not kept locally: for a caller that keeps it otherwise (a
  // manifest it restamps, which would else be written twice).
  absl::StatusOr<Fetched> Fetch(const Digest& key);
  // Every remote's sound answer under `key`, in the configured order, the local store left out;
  // each answer is counted as Load counts it.
  std::vector<Fetched> FetchRemotes(const Digest& key);
  bool has_remotes() const { return !remotes_.empty(); }

  // The local store's result; the remotes' failures are counted and logged only.
  absl::Status Save(const Digest& key, const Entry& entry);

  // From the local store only: a damaged entry there may have been copied from a remote, which
  // a client cannot tell is damaged for everyone, and a read-only client may not change.
  absl::Status Remove(const Digest& key);

  // For what concerns this machine alone and must not travel (--explain's records).
  LocalStore& local() { return local_; }

 private:
  struct Remote {
    RemoteSpec spec;
    RemoteBackoff backoff;
    std::unique_ptr<RemoteBackend> backend;  // made on first use
    bool down = false;                       // failed, or failed recently in another process
  };

  RemoteBackend* Usable(Remote& remote);
  uv_loop_t* Loop();
  void Wait(const size_t& pending);
  std::optional<Entry> Check(Remote& remote, const Digest& key,
                             const absl::StatusOr<std::string>& answer);
  void Failed(Remote& remote, const absl::Status& status);

  LocalStore local_;
  int compression_level_;
  RemoteCounter count_;
  BackendMaker make_;
  std::vector<Remote> remotes_;
  std::unique_ptr<uv_loop_t> loop_;  // made when a remote is first asked
};

}  // namespace ddcc
