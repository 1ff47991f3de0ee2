#include "cache/layered_store.h"

#include <pthread.h>
#include <signal.h>

#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "cache/remote/http_backend.h"
#include "cache/remote/redis_backend.h"
#include "cache/remote/s3_service.h"
#include "cache/util/log.h"

namespace ddcc {
namespace {

// A write to a socket that the server has closed raises SIGPIPE, which would kill ddcc in the
// middle of a build. It is blocked while the remotes are asked (not ignored: the compiler that
// ddcc runs would inherit that), and one raised meanwhile is taken off before it is unblocked.
class SigpipeBlocked {
 public:
  SigpipeBlocked() {
    sigemptyset(&pipe_);
    sigaddset(&pipe_, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_, &old_);
    was_pending_ = Pending();
  }
  ~SigpipeBlocked() {
    if (!was_pending_ && Pending()) {
      timespec now{};
      sigtimedwait(&pipe_, nullptr, &now);
    }
    pthread_sigmask(SIG_SETMASK, &old_, nullptr);
  }
  SigpipeBlocked(const SigpipeBlocked&) = delete;
  SigpipeBlocked& operator=(const SigpipeBlocked&) = delete;

 private:
  static bool Pending() {
    sigset_t pending;
    sigpending(&pending);
    return sigismember(&pending, SIGPIPE) == 1;
  }

  sigset_t pipe_;
  sigset_t old_;
  bool was_pending_ = false;
};

}  // namespace

std::unique_ptr<RemoteBackend> MakeBackend(const RemoteSpec& spec, uv_loop_t* loop) {
  // ParseRemoteStorage lets only redis://, rediss://, http://, https:// and s3:// through.
  if (IsHttpUrl(spec.url)) return std::make_unique<HttpBackend>(spec, PlainHttpService(spec), loop);
  if (IsS3Url(spec.url)) return std::make_unique<HttpBackend>(spec, S3Service(spec), loop);
  return std::make_unique<RedisBackend>(spec, loop);
}

LayeredStore::LayeredStore(std::string root, const StoreSettings& settings,
                           std::vector<RemoteSpec> remotes, RemoteCounter count, BackendMaker make)
    : local_(root, settings),
      compression_level_(settings.compression_level),
      count_(std::move(count)),
      make_(make ? std::move(make)
                 : [](size_t, const RemoteSpec& spec,
                      const LoopSource& loop) -> std::unique_ptr<RemoteBackend> {
        uv_loop_t* made = loop();
        return made ? MakeBackend(spec, made) : nullptr;
      }) {
  for (RemoteSpec& spec : remotes) {
    RemoteBackoff backoff(root, spec.url, settings.umask);
    remotes_.push_back(Remote{std::move(spec), std::move(backoff), nullptr});
  }
}

LayeredStore::~LayeredStore() {
  // The backends close their handles; the loop must run once more to let them go.
  if (!loop_) return;  // no remote was asked, or only through the storage helper
  SigpipeBlocked blocked;
  remotes_.clear();
  uv_run(loop_.get(), UV_RUN_DEFAULT);
  uv_loop_close(loop_.get());
}

absl::StatusOr<Entry> LayeredStore::Load(const Digest& key) {
  absl::StatusOr<Fetched> fetched = Fetch(key);
  if (!fetched.ok()) return fetched.status();
  if (!fetched->remote_bytes.empty()) {
    if (absl::Status saved = local_.SaveBytes(key, fetched->remote_bytes); !saved.ok()) {
      Log(absl::StrCat("remote hit ", key.Hex(), " not kept locally: ", saved.message()));
    }
  }
  return std::move(fetched->entry);
}

absl::StatusOr<LayeredStore::Fetched> LayeredStore::Fetch(const Digest& key) {
  absl::StatusOr<Entry> local = local_.Load(key);
  if (local.ok()) return Fetched{*std::move(local), {}};
  if (!absl::IsNotFound(local.status()) || remotes_.empty()) return local.status();
  std::vector<Fetched> remote = FetchRemotes(key);
  if (remote.empty()) return local.status();
  return std::move(remote.front());
}

std::vector<LayeredStore::Fetched> LayeredStore::FetchRemotes(const Digest& key) {
  SigpipeBlocked blocked;
  std::vector<std::optional<absl::StatusOr<std::string>>> answers(remotes_.size());
  size_t pending = 0;
  for (size_t i = 0; i < remotes_.size(); ++i) {
    RemoteBackend* backend = Usable(remotes_[i]);
    if (backend == nullptr) continue;
    ++pending;
    backend->StartGet(key, [&answers, &pending, i](absl::StatusOr<std::string> answer) {
      answers[i] = std::move(answer);
      --pending;
    });
  }
  Wait(pending);
  // Every answer is counted, even those after the one that serves.
  std::vector<Fetched> found;
  for (size_t i = 0; i < remotes_.size(); ++i) {
    if (!answers[i]) continue;
    std::optional<Entry> entry = Check(remotes_[i], key, *answers[i]);
    if (entry) found.push_back(Fetched{*std::move(entry), **std::move(answers[i])});
  }
  return found;
}

absl::Status LayeredStore::Save(const Digest& key, const Entry& entry) {
  // Encoded once: the remotes get the very bytes the local store keeps.
  const std::string bytes = EncodeEntry(entry, compression_level_, key);
  absl::Status saved = local_.SaveBytes(key, bytes);
  if (remotes_.empty()) return saved;
  SigpipeBlocked blocked;
  std::vector<absl::Status> puts(remotes_.size());
  size_t pending = 0;
  for (size_t i = 0; i < remotes_.size(); ++i) {
    if (remotes_[i].spec.read_only) continue;
    RemoteBackend* backend = Usable(remotes_[i]);
    if (backend == nullptr) continue;
    ++pending;
    backend->StartPut(key, bytes, [&puts, &pending, i](absl::Status put) {
      puts[i] = std::move(put);
      --pending;
    });
  }
  Wait(pending);
  // Not from inside the callbacks: a failure destroys the backend that calls them.
  for (size_t i = 0; i < remotes_.size(); ++i) {
    if (!puts[i].ok()) Failed(remotes_[i], puts[i]);
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
    remote.backend = make_(&remote - remotes_.data(), remote.spec, [this] { return Loop(); });
    if (!remote.backend) {
      remote.down = true;
      return nullptr;
    }
  }
  return remote.backend.get();
}

// nullptr when libuv cannot make a loop (out of file descriptors): the remotes then go unasked.
uv_loop_t* LayeredStore::Loop() {
  if (!loop_) {
    auto loop = std::make_unique<uv_loop_t>();
    if (int error = uv_loop_init(loop.get()); error != 0) {
      Log(absl::StrCat("remotes not asked: uv_loop_init: ", uv_strerror(error)));
      return nullptr;
    }
    loop_ = std::move(loop);
  }
  return loop_.get();
}

// Settles the backends that wait for their own answers, then runs the loop until every request
// started has been answered; each has a deadline.
void LayeredStore::Wait(const size_t& pending) {
  for (Remote& remote : remotes_) {
    if (remote.backend) remote.backend->Settle();
  }
  while (pending > 0 && loop_) uv_run(loop_.get(), UV_RUN_ONCE);
}

// The remote's answer as an entry, if it is a sound one; counts the answer either way.
std::optional<Entry> LayeredStore::Check(Remote& remote, const Digest& key,
                                         const absl::StatusOr<std::string>& answer) {
  if (!answer.ok()) {
    if (absl::IsNotFound(answer.status())) {
      count_(RemoteOutcome::kMiss);
    } else {
      Failed(remote, answer.status());
    }
    return std::nullopt;
  }
  // Whoever can write to the remote could have put anything there; the checksum catches damage
  // (not malice: see docs/remote.md). The next save under this key replaces the bad value.
  absl::StatusOr<Entry> entry = DecodeEntry(*answer, key);
  if (!entry.ok()) {
    count_(RemoteOutcome::kError);
    Log(absl::StrCat("bad entry ", key.Hex(), " from ", RedactUrl(remote.spec.url), ": ",
                     entry.status().message()));
    return std::nullopt;
  }
  count_(RemoteOutcome::kHit);
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
