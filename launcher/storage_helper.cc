#include "launcher/storage_helper.h"

#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <optional>
#include <thread>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "cache/helper/helper_backend.h"
#include "cache/helper/helper_protocol.h"
#include "cache/helper/helper_server.h"
#include "cache/remote/remote_backoff.h"
#include "cache/util/files.h"
#include "cache/util/log.h"
#include "cache/util/peer.h"
#include "launcher/stats.h"

namespace ddcc {
namespace {

constexpr size_t kMaxSocketPath = sizeof(sockaddr_un::sun_path) - 1;

absl::Status Errno(absl::string_view what) {
  return absl::UnavailableError(absl::StrCat(what, ": ", std::strerror(errno)));
}

// Whether `path` is a directory of this user's (sudo may keep another user's XDG_RUNTIME_DIR).
bool OwnDirectory(const char* path) {
  struct stat st;
  return path != nullptr && path[0] == '/' && lstat(path, &st) == 0 && S_ISDIR(st.st_mode) &&
         st.st_uid == getuid();
}

// $XDG_RUNTIME_DIR/ddcc, else $TMPDIR/ddcc-<uid> (/tmp by default): made if need be, and used only
// if it is a directory this user alone may enter, as no other user may meet the helper.
absl::StatusOr<std::string> PrivateDir(const EnvLookup& env) {
  std::string dir;
  if (const char* runtime = env("XDG_RUNTIME_DIR"); OwnDirectory(runtime)) {
    dir = absl::StrCat(runtime, "/ddcc");
  } else {
    const char* tmp = env("TMPDIR");
    dir = absl::StrCat(tmp != nullptr && tmp[0] == '/' ? tmp : "/tmp", "/ddcc-", getuid());
  }
  if (mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) return Errno(absl::StrCat("mkdir ", dir));
  struct stat st;
  if (lstat(dir.c_str(), &st) != 0) return Errno(dir);
  if (!S_ISDIR(st.st_mode) || st.st_uid != getuid() || (st.st_mode & 077) != 0) {
    return absl::FailedPreconditionError(
        absl::StrCat(dir, " is not a directory of this user's alone"));
  }
  return dir;
}

absl::StatusOr<std::string> ThisBinary() {
  char path[PATH_MAX];
  ssize_t size = readlink("/proc/self/exe", path, sizeof(path) - 1);
  if (size < 0) return Errno("/proc/self/exe");
  return std::string(path, size);
}

bool Relative(const std::string& path) { return !path.empty() && path[0] != '/'; }

// What one helper serves: this ddcc binary (a rebuilt one must not meet an old helper), this user
// and these remotes, each setting of them.
absl::StatusOr<Digest> HelperKey(const Config& config, const EnvLookup& env) {
  absl::StatusOr<std::string> binary = ThisBinary();
  if (!binary.ok()) return binary.status();
  struct stat st;
  if (stat(binary->c_str(), &st) != 0) return Errno(*binary);
  Hasher hasher;
  hasher.Field("ddcc storage helper");
  hasher.Field(kHelperProtocolVersion);
  hasher.Field(*binary);
  hasher.Field(static_cast<uint64_t>(st.st_size));
  hasher.Field(static_cast<uint64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec);
  hasher.Field(static_cast<uint64_t>(getuid()));
  bool relative_files = false;
  for (const RemoteSpec& spec : config.remote_storage) {
    HashRemoteSpec(spec, hasher);
    relative_files |= Relative(spec.ca_file) || Relative(spec.cert_file) || Relative(spec.key_file);
  }
  // What OpenSSL trusts, where a remote over TLS has no ca-file to say: the helper, which
  // connects, reads it from the environment of the compile that started it. (Not otherwise,
  // so that a --stop-server run without them still finds the helper.)
  const bool trusts_environment = std::any_of(
      config.remote_storage.begin(), config.remote_storage.end(), [](const RemoteSpec& spec) {
        return spec.ca_file.empty() && !absl::StartsWith(spec.url, "http://") &&
               !absl::StartsWith(spec.url, "redis://");
      });
  for (const char* name : {"SSL_CERT_FILE", "SSL_CERT_DIR", "OPENSSL_CONF"}) {
    const char* value = trusts_environment ? env(name) : nullptr;
    hasher.Field(value != nullptr ? absl::StrCat("=", value) : "");
    relative_files |= value != nullptr && Relative(value);
  }
  // A relative file name means another file in another directory.
  if (relative_files) {
    char cwd[PATH_MAX];
    if (getcwd(cwd, sizeof(cwd)) == nullptr) return Errno("getcwd");
    hasher.Field(cwd);
  }
  return hasher.Finish();
}

// That the helper was stuck a moment ago, for every compile of the user, whatever its cache.
RemoteBackoff StuckMark(const HelperPlace& place) {
  return RemoteBackoff(place.dir, absl::StrCat("storage helper ", place.socket), std::nullopt);
}

// Starts `ddcc --storage-helper` apart from the build: its own session, no terminal, none of the
// build's files or pipes held open (a build tool waits for its compiles' pipes to close).
void StartHelper(const HelperPlace& place) {
  absl::StatusOr<std::string> binary = ThisBinary();
  if (!binary.ok()) {
    Log(absl::StrCat("storage helper not started: ", binary.status().message()));
    return;
  }
  // Made before forking: the child only calls what is safe between fork and exec.
  const std::string name = "ddcc", command = "--storage-helper";
  char* argv[] = {const_cast<char*>(name.c_str()), const_cast<char*>(command.c_str()),
                  const_cast<char*>(place.socket.c_str()), nullptr};
  pid_t child = fork();
  if (child < 0) {
    Log(absl::StrCat("storage helper not started: fork: ", std::strerror(errno)));
    return;
  }
  if (child == 0) {
    // The compile's handlers remove its temporary files on a signal; in this copy of it they
    // would remove the compile's own. Only what is safe between fork and exec from here on.
    struct sigaction default_action {};
    default_action.sa_handler = SIG_DFL;
    for (int signal_number : {SIGTERM, SIGINT, SIGHUP}) {
      sigaction(signal_number, &default_action, nullptr);
    }
    setsid();
    if (fork() != 0) _exit(0);  // the helper is nobody's child: no zombie, no waiting
    int null = open("/dev/null", O_RDWR);
    for (int fd = 0; fd < 3; ++fd) dup2(null, fd);
    close_range(3, ~0U, 0);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    execv(binary->c_str(), argv);
    _exit(127);
  }
  waitpid(child, nullptr, 0);
  Log(absl::StrCat("storage helper started for ", place.socket));
}

// A blocking conversation with the helper, for --start-server and --stop-server.
class HelperCall {
 public:
  // Connected, and greeted within `timeout_ms`.
  static absl::StatusOr<HelperCall> Open(const std::string& socket, int timeout_ms) {
    // Not blocking while connecting: a hung helper's full backlog would hold the connect.
    HelperCall call(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
    if (call.fd_ < 0) return Errno("socket");
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::strncpy(address.sun_path, socket.c_str(), sizeof(address.sun_path) - 1);
    if (connect(call.fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) {
      return Errno("connect");
    }
    if (SocketPeerUid(call.fd_) != getuid()) {
      return absl::PermissionDeniedError("the storage helper there is another user's");
    }
    fcntl(call.fd_, F_SETFL, fcntl(call.fd_, F_GETFL) & ~O_NONBLOCK);
    absl::StatusOr<HelperFrame> hello =
        call.Ask(HelperMessage::kHello, EncodeHello(), HelperMessage::kHello, timeout_ms);
    if (!hello.ok()) return hello.status();
    if (absl::Status checked = CheckHello(hello->body); !checked.ok()) return checked;
    return call;
  }

  HelperCall(HelperCall&& other) : fd_(std::exchange(other.fd_, -1)) {}
  ~HelperCall() {
    if (fd_ >= 0) close(fd_);
  }

  absl::StatusOr<HelperFrame> Ask(HelperMessage type, absl::string_view body, HelperMessage answer,
                                  int timeout_ms) {
    if (absl::Status sent = Send(EncodeFrame(type, body)); !sent.ok()) return sent;
    FrameReader reader;
    while (true) {
      absl::StatusOr<std::optional<HelperFrame>> frame = reader.Next();
      if (!frame.ok()) return frame.status();
      if (*frame) {
        if ((*frame)->type != answer) return absl::DataLossError("an unexpected answer");
        return **std::move(frame);
      }
      absl::StatusOr<std::string> bytes = Read(timeout_ms);
      if (!bytes.ok()) return bytes.status();
      if (bytes->empty()) return absl::UnavailableError("the helper closed the connection");
      reader.Add(*bytes);
    }
  }

  // Whether the helper closed the connection (by exiting) within `timeout_ms`.
  bool WaitClosed(int timeout_ms) {
    // Within `timeout_ms` in all, however much the helper sends meanwhile.
    const int64_t deadline_ns = NowNs() + int64_t{timeout_ms} * 1'000'000;
    while (true) {
      const int64_t left_ms = (deadline_ns - NowNs()) / 1'000'000;
      if (left_ms <= 0) return false;
      absl::StatusOr<std::string> bytes = Read(static_cast<int>(left_ms));
      if (!bytes.ok()) return false;
      if (bytes->empty()) return true;
    }
  }

 private:
  explicit HelperCall(int fd) : fd_(fd) {}

  absl::Status Send(absl::string_view bytes) {
    while (!bytes.empty()) {
      ssize_t size = send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
      if (size < 0 && errno == EINTR) continue;
      if (size < 0) return Errno("send");
      bytes.remove_prefix(size);
    }
    return absl::OkStatus();
  }

  // What came next; empty at the end of the stream.
  absl::StatusOr<std::string> Read(int timeout_ms) {
    pollfd poll_fd{fd_, POLLIN, 0};
    int ready = poll(&poll_fd, 1, timeout_ms);
    if (ready == 0) return absl::DeadlineExceededError("the helper did not answer in time");
    if (ready < 0) return Errno("poll");
    char buffer[4096];
    ssize_t size = read(fd_, buffer, sizeof(buffer));
    if (size < 0) return Errno("read");
    return std::string(buffer, size);
  }

  int fd_;
};

// Whether this process got the helper's lock: not while another helper serves, but after one
// that was stopping has gone.
bool TakeLock(int lock, const std::string& socket) {
  // By the clock: a hung helper keeps each Open for its whole second.
  const int64_t deadline_ns = NowNs() + 2'000'000'000;
  while (NowNs() < deadline_ns) {
    if (flock(lock, LOCK_EX | LOCK_NB) == 0) return true;
    // One there, answering or not: the lock is its.
    absl::StatusOr<HelperCall> running = HelperCall::Open(socket, 1000);
    if (running.ok() || absl::IsDeadlineExceeded(running.status())) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

// Waits until no helper holds the lock, for at most `timeout_ms`.
void WaitUnlocked(const std::string& lock_path, int timeout_ms) {
  int lock = open(lock_path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
  if (lock < 0) return;
  constexpr int kStepMs = 10;
  for (int waited_ms = 0; waited_ms < timeout_ms; waited_ms += kStepMs) {
    if (flock(lock, LOCK_SH | LOCK_NB) == 0) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(kStepMs));
  }
  close(lock);
}

// `path` as named from the root, where it was relative to `cwd`.
std::string FromRoot(const std::string& path, const char* cwd) {
  return Relative(path) ? absl::StrCat(cwd, "/", path) : path;
}

// Serves compiles at `place` until stopped or idle.
int Serve(const Config& config, const HelperPlace& place) {
  // Not the build's signals: the helper outlives the compile that started it.
  signal(SIGPIPE, SIG_IGN);
  signal(SIGHUP, SIG_IGN);
  signal(SIGINT, SIG_IGN);

  uv_loop_t loop;
  if (int error = uv_loop_init(&loop); error != 0) {
    Log(absl::StrCat("storage helper not started: uv_loop_init: ", uv_strerror(error)));
    return 1;
  }
  absl::Status listening;
  {
    HelperSettings settings{.remotes = config.remote_storage,
                            .idle_timeout_ms = config.storage_helper_idle_timeout_ns / 1'000'000,
                            .make = MakeBackend,
                            .upload_failed = [&config](const absl::Status& status) {
                              Tally tally;
                              tally.Add(absl::IsDeadlineExceeded(status) ? RemoteOutcome::kTimeout
                                                                         : RemoteOutcome::kError);
                              Stats(config.cache_dir, config.umask).Count(tally);
                            }};
    HelperServer server(&loop, std::move(settings));
    listening = server.Listen(place.socket);
    // Stopped by SIGTERM as when asked; the handle alone does not keep the loop running.
    uv_signal_t terminate;
    uv_signal_init(&loop, &terminate);
    terminate.data = &server;
    uv_signal_start(
        &terminate,
        [](uv_signal_t* signal, int) { static_cast<HelperServer*>(signal->data)->Stop(); },
        SIGTERM);
    uv_unref(reinterpret_cast<uv_handle_t*>(&terminate));
    if (listening.ok()) {
      Log(absl::StrCat("storage helper: serving ", ShowRemoteStorage(config.remote_storage), " at ",
                       place.socket));
      uv_run(&loop, UV_RUN_DEFAULT);
    }
    uv_close(reinterpret_cast<uv_handle_t*>(&terminate), nullptr);
    uv_run(&loop, UV_RUN_DEFAULT);
  }
  uv_run(&loop, UV_RUN_DEFAULT);  // lets the handles close
  uv_loop_close(&loop);
  if (!listening.ok()) {
    Log(absl::StrCat("storage helper not started: ", listening.message()));
    return 1;
  }
  return 0;
}

}  // namespace

absl::StatusOr<HelperPlace> HelperPlaceOf(const Config& config, const EnvLookup& env) {
  if (config.remote_storage.empty()) {
    return absl::FailedPreconditionError("no remote_storage is set");
  }
  if (!config.storage_helper) return absl::FailedPreconditionError("storage_helper is false");
  absl::StatusOr<std::string> dir = PrivateDir(env);
  if (!dir.ok()) return dir.status();
  absl::StatusOr<Digest> key = HelperKey(config, env);
  if (!key.ok()) return key.status();
  const std::string name = absl::StrCat(*dir, "/helper-", key->Hex().substr(0, 16));
  HelperPlace place{*dir, absl::StrCat(name, ".sock"), absl::StrCat(name, ".lock")};
  if (place.socket.size() > kMaxSocketPath) {
    return absl::FailedPreconditionError(absl::StrCat(place.socket, " is too long for a socket"));
  }
  return place;
}

BackendMaker RemoteBackendMaker(const Config& config, const EnvLookup& env) {
  if (!config.storage_helper || config.remote_storage.empty()) return {};
  // Worked out when a remote is first asked: most compiles hit locally and never get there.
  struct Shared {
    std::optional<absl::StatusOr<HelperPlace>> place;
    bool started = false;
    std::shared_ptr<bool> given_up = std::make_shared<bool>(false);  // by any remote's backend
  };
  auto shared = std::make_shared<Shared>();
  return [config, env, shared](size_t index, const RemoteSpec& spec,
                               const LoopSource& loop) -> std::unique_ptr<RemoteBackend> {
    auto direct = [spec, loop]() -> std::unique_ptr<RemoteBackend> {
      uv_loop_t* made = loop();
      return made ? MakeBackend(spec, made) : nullptr;
    };
    if (!shared->place) {
      shared->place = HelperPlaceOf(config, env);
      if (shared->place->ok() && StuckMark(**shared->place).Active()) {
        shared->place = absl::UnavailableError(
            absl::StrCat("it was stuck less than ", kRemoteBackoffNs / 1'000'000'000, " s ago"));
      }
      if (!shared->place->ok()) {
        Log(absl::StrCat("storage helper not used: ", shared->place->status().message()));
      }
    }
    if (!shared->place->ok() || index > UINT8_MAX) return direct();
    const HelperPlace& place = **shared->place;
    HelperChannel channel{.socket_path = place.socket,
                          .remote = static_cast<uint8_t>(index),
                          .direct = direct,
                          .absent =
                              [shared, place] {
                                if (!std::exchange(shared->started, true)) StartHelper(place);
                              },
                          .stuck = [place] { StuckMark(place).RecordFailure(); },
                          .given_up = shared->given_up};
    return std::make_unique<HelperBackend>(spec, std::move(channel));
  };
}

LayeredStore CompileStore(const Config& config, const EnvLookup& env, Tally& tally) {
  return LayeredStore(
      config.cache_dir, StoreSettingsOf(config), config.remote_storage,
      [&tally](RemoteOutcome outcome) { tally.Add(outcome); }, RemoteBackendMaker(config, env));
}

int RunStorageHelper(const Config& config, const EnvLookup& env, const std::string& socket) {
  absl::StatusOr<HelperPlace> place = HelperPlaceOf(config, env);
  if (!place.ok() || place->socket != socket) {
    Log(absl::StrCat("storage helper not started: ",
                     place.ok() ? "the configuration changed" : place.status().message()));
    return 1;
  }
  int lock = open(place->lock.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (lock < 0) {
    Log(absl::StrCat("storage helper not started: ", Errno(place->lock).message()));
    return 1;
  }
  // Held until the process ends, however it ends: a helper started twice at once serves once.
  if (!TakeLock(lock, place->socket)) return 0;
  const std::string pid = absl::StrCat(getpid(), "\n");
  if (ftruncate(lock, 0) != 0 || pwrite(lock, pid.data(), pid.size(), 0) < 0) {
    Log(absl::StrCat("storage helper: ", Errno(place->lock).message()));
  }
  // Out of the build's directory, which a CI job may want to unmount; the files the settings
  // name relative to it are named from the root first (the log is open already).
  char cwd[PATH_MAX];
  if (getcwd(cwd, sizeof(cwd)) == nullptr || chdir("/") != 0) {
    Log(absl::StrCat("storage helper: ", Errno("chdir").message()));
    return 1;
  }
  Config settled = config;
  settled.cache_dir = FromRoot(settled.cache_dir, cwd);
  for (RemoteSpec& spec : settled.remote_storage) {
    for (std::string* path : {&spec.ca_file, &spec.cert_file, &spec.key_file}) {
      *path = FromRoot(*path, cwd);
    }
  }
  return Serve(settled, *place);
}

int StartStorageHelper(const Config& config, const EnvLookup& env) {
  // Nothing to start, as chosen: a script written for sccache calls this on every build.
  if (config.remote_storage.empty() || !config.storage_helper) return 0;
  absl::StatusOr<HelperPlace> place = HelperPlaceOf(config, env);
  if (!place.ok()) {
    std::fprintf(stderr, "ddcc: no storage helper to start: %s\n",
                 std::string(place.status().message()).c_str());
    return 0;
  }
  absl::StatusOr<HelperCall> running = HelperCall::Open(place->socket, 1000);
  if (running.ok()) return 0;  // already running
  if (absl::IsDeadlineExceeded(running.status())) {
    // It holds the lock, so no other can start: compiles leave it alone and ask the remotes.
    std::fprintf(stderr,
                 "ddcc: the storage helper is running but does not answer; compiles ask the "
                 "remotes directly\n");
    return 0;
  }
  StartHelper(*place);
  // By the clock: each Open may wait its second for a hello.
  const int64_t deadline_ns = NowNs() + 5'000'000'000;
  while (NowNs() < deadline_ns) {
    if (HelperCall::Open(place->socket, 1000).ok()) return 0;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  std::fprintf(stderr,
               "ddcc: the storage helper did not start (see the log); compiles ask the remotes "
               "directly\n");
  return 0;
}

int StopStorageHelper(const Config& config, const EnvLookup& env) {
  absl::StatusOr<HelperPlace> place = HelperPlaceOf(config, env);
  if (!place.ok()) return 0;
  absl::StatusOr<HelperCall> call = HelperCall::Open(place->socket, 1000);
  if (absl::IsDeadlineExceeded(call.status())) {
    std::fprintf(stderr, "ddcc: the storage helper does not answer; it was not stopped\n");
    return 0;
  }
  if (!call.ok()) return 0;  // none running
  // It finishes its uploads first; each is bounded by the remote's timeouts.
  constexpr int kStopWaitMs = 60'000;
  if (!call->Ask(HelperMessage::kStop, "", HelperMessage::kAnswer, 1000).ok() ||
      !call->WaitClosed(kStopWaitMs)) {
    std::fprintf(stderr, "ddcc: the storage helper did not stop in time\n");
    return 0;
  }
  WaitUnlocked(place->lock, 5000);  // it closed the connection just before exiting
  return 0;
}

}  // namespace ddcc
