#include "cache/helper/helper_backend.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "cache/util/log.h"

namespace ddcc {
namespace {

// Past the remote's own deadlines, which the helper keeps to, what it may take to pass an answer
// on; a helper later than that is stuck.
constexpr int kAnswerSlackMs = 200;
// A process on this machine says hello in well under a second, however long the remote's
// connect-timeout; but one descheduled on a machine loaded by `make -j` may take a few hundred
// milliseconds, and a helper taken for stuck is left alone by every compile for 30 seconds.
constexpr int kMinHelloMs = 500;
constexpr int kMaxHelloMs = 1000;
// Offers kept: a compile asks for a result right after the manifest whose result was offered.
constexpr size_t kMaxOffered = 4;

}  // namespace

HelperBackend::HelperBackend(const RemoteSpec& spec, HelperChannel channel, uv_loop_t* loop)
    : spec_(spec), channel_(std::move(channel)), loop_(loop), timer_(loop, [this] { Expired(); }) {}

HelperBackend::~HelperBackend() = default;

void HelperBackend::StartGet(const Digest& key, GetDone done) {
  // An offer arrives while the compile checks the manifest's files, after the loop last ran.
  if (state_ == State::kReady) connection_->ReadArrived();
  if (std::optional<std::string> offered = TakeOffered(key)) return done(*std::move(offered));
  Start(Request{HelperMessage::kGet, HelperRequest{channel_.remote, key, {}}, std::move(done), {}});
}

void HelperBackend::StartPut(const Digest& key, absl::string_view bytes, PutDone done) {
  Start(Request{HelperMessage::kPut,
                HelperRequest{channel_.remote, key, std::string(bytes)},
                {},
                std::move(done)});
}

void HelperBackend::Start(Request request) {
  if (state_ == State::kDirect) return StartDirect(std::move(request));
  pending_ = std::move(request);
  if (state_ == State::kUnconnected) {
    absl::StatusOr<std::unique_ptr<StreamConnection>> connection = StreamConnection::OpenLocal(
        loop_, channel_.socket_path,
        {.ready = [this] { state_ = State::kGreeting; },
         .received = [this](absl::string_view bytes) { Received(bytes); },
         .ended = [this](const absl::Status& why) { Ended(why); }});
    if (!connection.ok()) return FallBack(connection.status());
    connection_ = *std::move(connection);
    state_ = State::kConnecting;
    // Sent once connected, the request right after it: no round trip is spent on the hello.
    if (absl::Status sent = connection_->Write(EncodeFrame(HelperMessage::kHello, EncodeHello()));
        !sent.ok()) {
      return FallBack(sent);
    }
    timer_.Start(std::clamp(spec_.connect_timeout_ms, kMinHelloMs, kMaxHelloMs));
  }
  Send();
}

void HelperBackend::Send() {
  absl::Status sent =
      connection_->Write(EncodeFrame(pending_->type, EncodeRequest(pending_->request)));
  if (!sent.ok()) return FallBack(sent);
  if (state_ == State::kReady) {
    timer_.Start(spec_.connect_timeout_ms + spec_.timeout_ms + kAnswerSlackMs);
  }
}

void HelperBackend::Received(absl::string_view bytes) {
  reader_.Add(bytes);
  while (true) {
    absl::StatusOr<std::optional<HelperFrame>> frame = reader_.Next();
    if (!frame.ok()) return FallBack(frame.status());
    if (!*frame) return;
    if (state_ != State::kReady) {
      absl::Status hello = (*frame)->type == HelperMessage::kHello
                               ? CheckHello((*frame)->body)
                               : absl::DataLossError("no hello");
      if (!hello.ok()) return FallBack(hello);
      state_ = State::kReady;
      if (pending_) timer_.Start(spec_.connect_timeout_ms + spec_.timeout_ms + kAnswerSlackMs);
      continue;
    }
    if ((*frame)->type == HelperMessage::kOffer) {
      Offered((*frame)->body);
      if (state_ != State::kReady) return;  // a broken offer: the helper is not used any more
      continue;
    }
    if ((*frame)->type != HelperMessage::kAnswer || !pending_) {
      return FallBack(absl::DataLossError("an answer to nothing"));
    }
    // Frames after the answer (an offer) are read too: nothing may arrive to bring them on.
    Finish(DecodeAnswer((*frame)->body));
    if (state_ != State::kReady) return;
  }
}

void HelperBackend::Offered(absl::string_view body) {
  absl::StatusOr<HelperRequest> offer = DecodeRequest(body);
  if (!offer.ok()) return FallBack(offer.status());
  if (offer->remote != channel_.remote) return;
  offered_.emplace_back(offer->key, std::move(offer->bytes));
  if (offered_.size() > kMaxOffered) offered_.erase(offered_.begin());
}

std::optional<std::string> HelperBackend::TakeOffered(const Digest& key) {
  auto offered = std::find_if(offered_.begin(), offered_.end(),
                              [&key](const auto& each) { return each.first == key; });
  if (offered == offered_.end()) return std::nullopt;
  std::string bytes = std::move(offered->second);
  offered_.erase(offered);
  return bytes;
}

void HelperBackend::Ended(const absl::Status& why) {
  if (state_ == State::kConnecting) {
    // A helper whose backlog is full is there but takes no one: as stuck as one that says nothing.
    absl::IsResourceExhausted(why) ? channel_.stuck() : channel_.absent();
    return FallBack(why);
  }
  Close();
  state_ = State::kUnconnected;
  if (pending_) FallBack(absl::UnavailableError("the storage helper closed the connection"));
}

void HelperBackend::Expired() {
  channel_.stuck();
  FallBack(absl::DeadlineExceededError(state_ == State::kReady
                                           ? "the storage helper did not answer in time"
                                           : "the storage helper did not say hello in time"));
}

void HelperBackend::Finish(absl::StatusOr<std::string> answer) {
  timer_.Stop();
  Request request = *std::exchange(pending_, std::nullopt);
  if (request.type == HelperMessage::kGet) return request.get(std::move(answer));
  // The helper's queue is full: this compile uploads its entry itself.
  if (absl::IsResourceExhausted(answer.status())) return StartDirect(std::move(request));
  request.put(answer.status());
}

void HelperBackend::Close() {
  timer_.Stop();
  connection_.reset();
  reader_ = FrameReader();
}

// The compile's requests go to the remote directly from now on, this one first.
void HelperBackend::FallBack(const absl::Status& why) {
  Log(absl::StrCat("storage helper not used (", why.message(), "): asking ", RedactUrl(spec_.url),
                   " directly"));
  Close();
  state_ = State::kDirect;
  if (pending_) StartDirect(*std::exchange(pending_, std::nullopt));
}

void HelperBackend::StartDirect(Request request) {
  if (!direct_) direct_ = channel_.direct();
  if (request.type == HelperMessage::kGet) {
    return direct_->StartGet(request.request.key, std::move(request.get));
  }
  // The backend copies what it sends; the bytes need not outlive this call.
  direct_->StartPut(request.request.key, request.request.bytes, std::move(request.put));
}

}  // namespace ddcc
