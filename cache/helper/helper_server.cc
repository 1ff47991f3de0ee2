#include "cache/helper/helper_server.h"

#include <sys/stat.h>
#include <unistd.h>

#include <utility>

#include "absl/strings/str_cat.h"
#include "cache/store/entry.h"
#include "cache/store/manifest.h"
#include "cache/util/log.h"

namespace ddcc {
namespace {

template <typename Handle>
void CloseAndFree(Handle* handle) {
  uv_close(reinterpret_cast<uv_handle_t*>(handle),
           [](uv_handle_t* closed) { delete reinterpret_cast<Handle*>(closed); });
}

// How often a stopping helper looks whether its uploads are done.
constexpr uint64_t kStopPollMs = 20;
// How long the helper's hello may wait to go with its first answer. Far less than the compile
// waits for it before it takes the helper for stuck (HelperBackend).
constexpr uint64_t kHelloWaitMs = 50;
// How often the helper looks whether its socket is still there: one removed (a cleaner of
// TMPDIR, a user) leaves compiles unable to reach it, and its lock keeps another from starting.
constexpr uint64_t kSocketCheckMs = 1000;

}  // namespace

HelperServer::HelperServer(uv_loop_t* loop, HelperSettings settings)
    : loop_(loop),
      settings_(std::move(settings)),
      idle_timer_(new uv_timer_t),
      hello_timer_(new uv_timer_t),
      socket_timer_(new uv_timer_t) {
  for (uv_timer_t* timer : {idle_timer_, hello_timer_, socket_timer_}) {
    uv_timer_init(loop_, timer);
    timer->data = this;
  }
  for (const RemoteSpec& spec : settings_.remotes) {
    pools_.push_back(std::make_unique<RemotePool>(
        RedactUrl(spec.url), loop_, [this, &spec] { return settings_.make(spec, loop_); },
        settings_.upload_failed));
  }
}

HelperServer::~HelperServer() {
  clients_.clear();
  pools_.clear();
  if (listener_ != nullptr) CloseAndFree(listener_);
  CloseAndFree(idle_timer_);
  CloseAndFree(hello_timer_);
  CloseAndFree(socket_timer_);
}

absl::Status HelperServer::Listen(const std::string& path) {
  if (unlink(path.c_str()) != 0 && errno != ENOENT) {
    return absl::UnavailableError(absl::StrCat("cannot remove ", path, ": ", strerror(errno)));
  }
  listener_ = new uv_pipe_t;
  uv_pipe_init(loop_, listener_, 0);
  listener_->data = this;
  if (int error = uv_pipe_bind(listener_, path.c_str()); error != 0) {
    return absl::UnavailableError(absl::StrCat("cannot bind ", path, ": ", uv_strerror(error)));
  }
  path_ = path;
  // The directory is the user's alone already; the socket says so too.
  chmod(path.c_str(), 0600);
  if (struct stat st; lstat(path.c_str(), &st) == 0) socket_ = {st.st_dev, st.st_ino};
  uv_timer_start(
      socket_timer_,
      [](uv_timer_t* timer) {
        auto* self = static_cast<HelperServer*>(timer->data);
        if (self->SocketOurs()) return;
        Log("storage helper: its socket was removed or replaced");
        self->Stop();
      },
      kSocketCheckMs, kSocketCheckMs);
  if (int error = uv_listen(reinterpret_cast<uv_stream_t*>(listener_), 128,
                            [](uv_stream_t* server, int status) {
                              if (status == 0) static_cast<HelperServer*>(server->data)->Accept();
                            });
      error != 0) {
    return absl::UnavailableError(absl::StrCat("cannot listen: ", uv_strerror(error)));
  }
  Idle();
  return absl::OkStatus();
}

void HelperServer::Stop() {
  if (stopping_) return;
  stopping_ = true;
  Log(absl::StrCat("storage helper: stopping", Busy() ? " once its uploads are done" : ""));
  uv_timer_stop(socket_timer_);
  if (listener_ != nullptr) {
    CloseAndFree(std::exchange(listener_, nullptr));
    if (SocketOurs()) unlink(path_.c_str());
  }
  // Not from here: Stop may run inside a remote's callback, and finishing destroys the remotes.
  uv_timer_start(
      idle_timer_,
      [](uv_timer_t* timer) { static_cast<HelperServer*>(timer->data)->FinishIfDone(); }, 0,
      kStopPollMs);
}

void HelperServer::Accept() {
  const uint64_t id = next_id_++;
  absl::StatusOr<std::unique_ptr<StreamConnection>> connection = StreamConnection::Accept(
      reinterpret_cast<uv_stream_t*>(listener_),
      {.ready = [] {},
       .received = [this, id](absl::string_view bytes) { Received(id, bytes); },
       .ended = [this, id](const absl::Status&) { clients_.erase(id); }});
  if (!connection.ok()) {
    Log(absl::StrCat("storage helper: ", connection.status().message()));
    return;
  }
  if (std::optional<uid_t> peer = (*connection)->PeerUid(); peer != getuid()) {
    Log(absl::StrCat("storage helper: refused a connection from user ",
                     peer ? absl::StrCat(*peer) : "unknown"));
    return;
  }
  clients_[id].connection = *std::move(connection);
  Idle();
}

void HelperServer::Received(uint64_t id, absl::string_view bytes) {
  auto client = clients_.find(id);
  if (client == clients_.end()) return;
  client->second.reader.Add(bytes);
  bool asked = false;
  while (true) {
    client = clients_.find(id);  // handling a frame may have let the client go
    if (client == clients_.end()) return;
    absl::StatusOr<std::optional<HelperFrame>> frame = client->second.reader.Next();
    if (!frame.ok()) {
      Log(absl::StrCat("storage helper: a compile sent ", frame.status().message()));
      clients_.erase(client);
      return;
    }
    if (!*frame) break;
    asked |= frame->value().type != HelperMessage::kHello;
    Handle(id, **std::move(frame));
  }
  if (!client->second.greeted || client->second.said_hello) return;
  // The helper's hello goes with its first answer (Send), so that the compile wakes once, not
  // also for the hello; alone to a hello sent alone (--start-server's), and where no answer
  // went within kHelloWaitMs.
  if (!asked) return SayHello(id);
  if (!uv_is_active(reinterpret_cast<uv_handle_t*>(hello_timer_))) {
    uv_timer_start(
        hello_timer_,
        [](uv_timer_t* timer) { static_cast<HelperServer*>(timer->data)->SayHellosDue(); },
        kHelloWaitMs, 0);
  }
}

void HelperServer::SayHello(uint64_t id) {
  auto client = clients_.find(id);
  if (client == clients_.end() || std::exchange(client->second.said_hello, true)) return;
  if (!client->second.connection->Write(EncodeFrame(HelperMessage::kHello, EncodeHello())).ok()) {
    clients_.erase(client);
  }
}

void HelperServer::SayHellosDue() {
  std::vector<uint64_t> due;
  for (const auto& [id, client] : clients_) {
    if (client.greeted && !client.said_hello) due.push_back(id);
  }
  for (uint64_t id : due) SayHello(id);
}

void HelperServer::Handle(uint64_t id, HelperFrame frame) {
  Client& client = clients_.at(id);
  if (client.greeted) return Serve(id, frame.type, frame.body);
  absl::Status hello = frame.type == HelperMessage::kHello
                           ? CheckHello(frame.body)
                           : absl::DataLossError("a request before its hello");
  if (!hello.ok()) {
    Log(absl::StrCat("storage helper: a compile sent ", hello.message()));
    clients_.erase(id);
    return;
  }
  client.greeted = true;
}

void HelperServer::Serve(uint64_t id, HelperMessage type, absl::string_view body) {
  if (!stopping_) Idle();
  if (type == HelperMessage::kStop) {
    Answer(id, std::string());
    return Stop();
  }
  if (type != HelperMessage::kGet && type != HelperMessage::kPut) {
    return Answer(id, absl::InvalidArgumentError("not a request"));
  }
  absl::StatusOr<HelperRequest> request = DecodeRequest(body);
  if (!request.ok()) return Answer(id, request.status());
  if (request->remote >= pools_.size()) {
    return Answer(id, absl::InvalidArgumentError(absl::StrCat("no remote ", request->remote)));
  }
  RemotePool& pool = *pools_[request->remote];
  if (type == HelperMessage::kGet) {
    if (const std::string* uploading = pool.Uploading(request->key)) return Answer(id, *uploading);
    if (AnswerFromAhead(id, *request)) return;
    return pool.Get(request->key, [this, id, remote = request->remote,
                                   key = request->key](absl::StatusOr<std::string> answer) {
      Answer(id, answer);
      if (answer.ok()) FetchAhead(id, remote, key, *answer);
    });
  }
  if (settings_.remotes[request->remote].read_only) {
    return Answer(id, absl::PermissionDeniedError("the remote is read-only"));
  }
  // The compile uploads the entry itself when the helper cannot take it.
  if (stopping_ || !pool.Upload(request->key, std::move(request->bytes))) {
    return Answer(id, absl::ResourceExhaustedError("the upload queue is full"));
  }
  Answer(id, std::string());
}

// A lookup of a result fetched ahead for the compile: answered now if it has arrived, else when
// it does. False when the result was not fetched ahead.
bool HelperServer::AnswerFromAhead(uint64_t id, const HelperRequest& request) {
  std::map<std::string, Ahead>& ahead = clients_.at(id).ahead;
  auto found = ahead.find(request.key.Hex());
  if (found == ahead.end() || found->second.remote != request.remote) return false;
  if (!found->second.answer) {
    found->second.asked = true;
    return true;
  }
  absl::StatusOr<std::string> answer = *std::move(found->second.answer);
  ahead.erase(found);
  Answer(id, answer);
  return true;
}

// A direct-mode manifest passed on names the results its compile will ask for next, the newest
// include sets' first: fetched now, they save that compile a round trip to the remote, and the
// newest set's, offered unasked, a round trip to the helper too. Anything else (a result, a
// damaged value) fetches nothing.
void HelperServer::FetchAhead(uint64_t id, uint8_t remote, const Digest& manifest_key,
                              const std::string& answer) {
  constexpr size_t kSetsFetched = 2;
  absl::StatusOr<Entry> entry = DecodeEntry(answer, manifest_key);
  if (!entry.ok()) return;
  absl::StatusOr<Manifest> manifest = Manifest::FromEntry(*entry);
  if (!manifest.ok()) return;
  const std::vector<IncludeSet>& sets = manifest->sets();
  for (size_t i = 0; i < sets.size() && i < kSetsFetched; ++i) {
    auto client = clients_.find(id);  // answering may have let the client go
    if (client == clients_.end()) return;
    const Digest key = sets[i].result;
    std::map<std::string, Ahead>& ahead = client->second.ahead;
    if (ahead.contains(key.Hex())) continue;
    ahead[key.Hex()].remote = remote;
    pools_[remote]->Get(key, [this, id, key, offer = i == 0](absl::StatusOr<std::string> fetched) {
      Arrived(id, key, offer, std::move(fetched));
    });
  }
}

void HelperServer::Arrived(uint64_t id, const Digest& key, bool offer,
                           absl::StatusOr<std::string> answer) {
  auto client = clients_.find(id);
  if (client == clients_.end()) return;
  auto ahead = client->second.ahead.find(key.Hex());
  if (ahead->second.asked) {
    client->second.ahead.erase(ahead);
    return Answer(id, answer);
  }
  // Large results wait to be asked for: the compile may need another include set's.
  if (offer && answer.ok() && answer->size() <= kMaxHelperOffer) {
    Send(id, EncodeFrame(HelperMessage::kOffer,
                         EncodeRequest(HelperRequest{ahead->second.remote, key, *answer})));
    client = clients_.find(id);  // sending may have let the client go
    if (client == clients_.end()) return;
  }
  client->second.ahead[key.Hex()].answer = std::move(answer);
}

void HelperServer::Answer(uint64_t id, const absl::StatusOr<std::string>& answer) {
  Send(id, EncodeFrame(HelperMessage::kAnswer, EncodeAnswer(answer)));
}

void HelperServer::Send(uint64_t id, const std::string& frame) {
  auto client = clients_.find(id);
  if (client == clients_.end()) return;  // the compile has gone
  const bool said = std::exchange(client->second.said_hello, true);
  absl::Status written = client->second.connection->Write(
      said ? frame : EncodeFrame(HelperMessage::kHello, EncodeHello()) + frame);
  if (!written.ok()) clients_.erase(client);
}

bool HelperServer::Busy() const {
  for (const auto& pool : pools_) {
    if (!pool->idle()) return true;
  }
  return false;
}

// Whether the socket at the path is still the one this helper bound.
bool HelperServer::SocketOurs() const {
  struct stat st;
  return lstat(path_.c_str(), &st) == 0 && std::make_pair(st.st_dev, st.st_ino) == socket_;
}

// (Re)starts the count of the idle time after which the helper stops.
void HelperServer::Idle() {
  if (settings_.idle_timeout_ms <= 0) return;
  uv_timer_start(
      idle_timer_,
      [](uv_timer_t* timer) {
        auto* self = static_cast<HelperServer*>(timer->data);
        // A compile still connected may be compiling between its lookup and its upload.
        if (self->Busy() || !self->clients_.empty()) return self->Idle();
        Log("storage helper: idle");
        self->Stop();
      },
      settings_.idle_timeout_ms, 0);
}

void HelperServer::FinishIfDone() {
  if (Busy()) return;
  uv_timer_stop(idle_timer_);
  uv_timer_stop(hello_timer_);
  // What is left open ends here, and with it the loop.
  clients_.clear();
  pools_.clear();
  Log("storage helper: stopped");
}

}  // namespace ddcc
