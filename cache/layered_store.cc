#include "cache/layered_store.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "cache/log.h"
#include "cache/redis_backend.h"

namespace ddcc {

LayeredStore::LayeredStore(const Config& config, RemoteCounter count)
    : local_(config.cache_dir, config.max_size, config.compression_level),
      compression_level_(config.compression_level),
      count_(std::move(count)) {
  for (const RemoteSpec& spec : config.remote_storage) {
    remotes_.push_back(Remote{spec, RemoteBackoff(config.cache_dir, spec.url), nullptr});
  }
}

LayeredStore::~LayeredStore() = default;

absl::StatusOr<Entry> LayeredStore::Load(const Digest& key) {
  absl::StatusOr<Entry> local = local_.Load(key);
  if (!absl::IsNotFound(local.status())) return local;
  for (Remote& remote : remotes_) {
    if (std::optional<Entry> entry = LoadFrom(remote, key)) return *std::move(entry);
  }
  return local;
}

absl::Status LayeredStore::Save(const Digest& key, const Entry& entry) {
  // Encoded once: the remotes get the very bytes the local store keeps.
  const std::string bytes = EncodeEntry(entry, compression_level_);
  absl::Status saved = local_.SaveBytes(key, bytes);
  for (Remote& remote : remotes_) {
    if (remote.spec.read_only) continue;
    RemoteBackend* backend = Usable(remote);
    if (backend == nullptr) continue;
    if (absl::Status put = backend->Put(key, bytes); !put.ok()) Failed(remote, put);
  }
  return saved;
}

absl::Status LayeredStore::Remove(const Digest& key) { return local_.Remove(key); }

// The remote's backend, or nullptr while it is down.
RemoteBackend* LayeredStore::Usable(Remote& remote) {
  if (remote.down) return nullptr;
  if (!remote.backend) {
    // Asked once per process, on the first lookup that reaches the remote.
    if (remote.backoff.Active()) {
      Log(absl::StrCat("not asking ", RedactUrl(remote.spec.url), ": it failed less than ",
                       kRemoteBackoffNs / 1'000'000'000, " s ago"));
      remote.down = true;
      return nullptr;
    }
    remote.backend = std::make_unique<RedisBackend>(remote.spec);
  }
  return remote.backend.get();
}

// The remote's entry under `key`, checked and copied into the local store; nullopt otherwise.
std::optional<Entry> LayeredStore::LoadFrom(Remote& remote, const Digest& key) {
  RemoteBackend* backend = Usable(remote);
  if (backend == nullptr) return std::nullopt;
  absl::StatusOr<std::string> bytes = backend->Get(key);
  if (!bytes.ok()) {
    if (absl::IsNotFound(bytes.status())) {
      count_(RemoteOutcome::kMiss);
    } else {
      Failed(remote, bytes.status());
    }
    return std::nullopt;
  }
  // Whoever can write to the remote could have put anything there; the checksum catches damage
  // (not malice: see docs/remote.md). The next save under this key replaces the bad value.
  absl::StatusOr<Entry> entry = DecodeEntry(*bytes);
  if (!entry.ok()) {
    count_(RemoteOutcome::kError);
    Log(absl::StrCat("bad entry ", key.Hex(), " from ", RedactUrl(remote.spec.url), ": ",
                     entry.status().message()));
    return std::nullopt;
  }
  count_(RemoteOutcome::kHit);
  if (absl::Status saved = local_.SaveBytes(key, *bytes); !saved.ok()) {
    Log(absl::StrCat("remote hit ", key.Hex(), " not kept locally: ", saved.message()));
  }
  return *std::move(entry);
}

void LayeredStore::Failed(Remote& remote, const absl::Status& status) {
  count_(absl::IsDeadlineExceeded(status) ? RemoteOutcome::kTimeout : RemoteOutcome::kError);
  Log(absl::StrCat("remote failed, not asked again for ", kRemoteBackoffNs / 1'000'000'000,
                   " s: ", status.ToString()));
  remote.down = true;
  remote.backend.reset();
  remote.backoff.RecordFailure();
}

}  // namespace ddcc
