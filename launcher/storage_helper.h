// Where and how compiles meet the storage helper (cache/helper/helper_server.h): one helper per
// user and remote configuration, listening on a socket in a directory only that user can enter.
// A compile that finds none starts one for the compiles after it and asks the remotes directly
// meanwhile; the helper stops when idle, or when `ddcc --stop-server` asks.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "cache/layered_store.h"
#include "launcher/config.h"
#include "launcher/outcome.h"

namespace ddcc {

struct HelperPlace {
  std::string dir;  // the user's own
  std::string socket;
  std::string lock;  // held by the running helper, and naming its process
};

// The helper's place for this configuration; an error says why compiles go to the remotes
// directly: no remote, the helper turned off, no private directory for its socket.
absl::StatusOr<HelperPlace> HelperPlaceOf(const Config& config, const EnvLookup& env);

// What makes a compile's remote backends: through the helper, unless it is off or was stuck a
// moment ago.
BackendMaker RemoteBackendMaker(const Config& config, const EnvLookup& env);

// The store a compile reads and writes: the local one, then the remotes (through the helper where
// it runs), each remote request counted in `tally`.
LayeredStore CompileStore(const Config& config, const EnvLookup& env, Tally& tally);

// `ddcc --storage-helper SOCKET`, as a compile starts it: serves until idle or stopped. Exits at
// once when another helper holds the place.
int RunStorageHelper(const Config& config, const EnvLookup& env, const std::string& socket);

// --start-server and --stop-server. Neither fails a build script: what goes wrong is said on
// stderr, and the status is 0. Without remote storage, or with the helper turned off, they do
// nothing and say nothing.
int StartStorageHelper(const Config& config, const EnvLookup& env);
int StopStorageHelper(const Config& config, const EnvLookup& env);

}  // namespace ddcc
