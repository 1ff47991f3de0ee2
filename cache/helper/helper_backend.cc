#include "cache/helper/helper_backend.h"

#include <errno.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <utility>

#include "absl/strings/str_cat.h"
#include "cache/util/files.h"
#include "cache/util/log.h"
#include "cache/util/peer.h"

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

int64_t MonotonicNs() {
  timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return int64_t{now.tv_sec} * 1'000'000'000 + now.tv_nsec;
}

int64_t MsFromNow(int ms) { return MonotonicNs() + int64_t{ms} * 1'000'000; }

// Waits for `events` on `fd` until `deadline_ns`: false when the time is up.
bool WaitFor(int fd, short events, int64_t deadline_ns) {
  while (true) {
    const int64_t left_ns = deadline_ns - MonotonicNs();
    if (left_ns <= 0) return false;
    pollfd poll_fd{fd, events, 0};
    const int ready = poll(&poll_fd, 1, static_cast<int>((left_ns + 999'999) / 1'000'000));
    if (ready > 0) return true;
    if (ready < 0 && errno != EINTR) return true;  // the read or write that follows says why
  }
}

}  // namespace

HelperBackend::HelperBackend(const RemoteSpec& spec, HelperChannel channel)
    : spec_(spec), channel_(std::move(channel)) {}

HelperBackend::~HelperBackend() { Close(); }

void HelperBackend::StartGet(const Digest& key, GetDone done) {
  Settle();  // one request at a time
  if (!direct_only_) {
    // An offer arrives while the compile checks the manifest's files.
    TakeInOffers();
    if (std::optional<std::string> offered = TakeOffered(key)) return done(*std::move(offered));
  }
  Start(Request{HelperMessage::kGet, HelperRequest{channel_.remote, key, {}}, std::move(done), {}});
}

void HelperBackend::StartPut(const Digest& key, absl::string_view bytes, PutDone done) {
  Settle();
  Start(Request{HelperMessage::kPut,
                HelperRequest{channel_.remote, key, std::string(bytes)},
                {},
                std::move(done)});
}

void HelperBackend::Start(Request request) {
  if (*channel_.given_up && !direct_only_) FallBack(absl::AbortedError("given up for another"));
  if (direct_only_ || !SendRequest(request)) return StartDirect(std::move(request));
  pending_ = std::move(request);
}

void HelperBackend::Settle() {
  if (!pending_) return;
  Request request = *std::exchange(pending_, std::nullopt);
  if (*channel_.given_up && !direct_only_) FallBack(absl::AbortedError("given up for another"));
  std::optional<absl::StatusOr<std::string>> answer = direct_only_ ? std::nullopt : ReceiveAnswer();
  if (answer && request.type == HelperMessage::kGet) return request.get(*std::move(answer));
  // The helper's queue is full: this compile uploads its entry itself.
  if (answer && !absl::IsResourceExhausted(answer->status())) return request.put(answer->status());
  StartDirect(std::move(request));
}

void HelperBackend::StartDirect(Request request) {
  if (!direct_) direct_ = channel_.direct();
  const absl::Status none = absl::UnavailableError("no direct connection to the remote");
  if (request.type == HelperMessage::kGet) {
    if (!direct_) return request.get(none);
    return direct_->StartGet(request.request.key, std::move(request.get));
  }
  if (!direct_) return request.put(none);
  // The backend copies what it sends; the bytes need not outlive this call.
  direct_->StartPut(request.request.key, request.request.bytes, std::move(request.put));
}

bool HelperBackend::SendRequest(const Request& request) {
  std::string out;
  if (fd_ < 0) {
    if (absl::Status connected = Connect(); !connected.ok()) {
      FallBack(connected);
      return false;
    }
    // Sent with the request: no round trip is spent on the hello.
    out = EncodeFrame(HelperMessage::kHello, EncodeHello());
  }
  absl::StrAppend(&out, EncodeFrame(request.type, EncodeRequest(request.request)));
  const int answer_ms = spec_.connect_timeout_ms + spec_.timeout_ms + kAnswerSlackMs;
  if (absl::Status sent = Send(out, MsFromNow(answer_ms)); !sent.ok()) {
    FallBack(sent);
    return false;
  }
  return true;
}

std::optional<absl::StatusOr<std::string>> HelperBackend::ReceiveAnswer() {
  bool timed_out = false;
  if (!greeted_) {
    absl::StatusOr<HelperFrame> hello = NextFrame(
        MsFromNow(std::clamp(spec_.connect_timeout_ms, kMinHelloMs, kMaxHelloMs)), &timed_out);
    absl::Status checked = !hello.ok()                            ? hello.status()
                           : hello->type == HelperMessage::kHello ? CheckHello(hello->body)
                                                                  : absl::DataLossError("no hello");
    if (!checked.ok()) {
      if (timed_out) {
        channel_.stuck();
        checked = absl::DeadlineExceededError("the storage helper did not say hello in time");
      }
      FallBack(checked);
      return std::nullopt;
    }
    greeted_ = true;
  }
  const int answer_ms = spec_.connect_timeout_ms + spec_.timeout_ms + kAnswerSlackMs;
  absl::StatusOr<HelperFrame> frame = NextFrame(MsFromNow(answer_ms), &timed_out);
  if (!frame.ok() || frame->type != HelperMessage::kAnswer) {
    if (timed_out) channel_.stuck();
    FallBack(timed_out    ? absl::DeadlineExceededError("the storage helper did not answer in time")
             : frame.ok() ? absl::DataLossError("an answer to nothing")
                          : frame.status());
    return std::nullopt;
  }
  offers_since_answer_ = 0;
  return DecodeAnswer(frame->body);
}

absl::Status HelperBackend::Connect() {
  // Not blocking: a hung helper's full backlog would hold the connect.
  fd_ = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd_ < 0) return ErrnoStatus("socket", channel_.socket_path);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::strncpy(address.sun_path, channel_.socket_path.c_str(), sizeof(address.sun_path) - 1);
  if (connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0) {
    // Another user may have put a socket of its own at the path (its directory swapped in a
    // parent others may write): only this user's helper is told anything.
    if (SocketPeerUid(fd_) == getuid()) return absl::OkStatus();
    channel_.stuck();  // as unusable: left alone a while, the remote asked directly
    return absl::PermissionDeniedError(
        absl::StrCat(channel_.socket_path, ": the storage helper there is another user's"));
  }
  // A helper whose backlog is full is there but takes no one: as stuck as one that says nothing.
  errno == EAGAIN ? channel_.stuck() : channel_.absent();
  return ErrnoStatus("connect", channel_.socket_path);
}

absl::Status HelperBackend::Send(absl::string_view bytes, int64_t deadline_ns) {
  while (!bytes.empty()) {
    const ssize_t sent = send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (sent > 0) {
      bytes.remove_prefix(sent);
    } else if (errno == EAGAIN) {
      if (!WaitFor(fd_, POLLOUT, deadline_ns)) {
        channel_.stuck();
        return absl::DeadlineExceededError("the storage helper took no request in time");
      }
    } else if (errno != EINTR) {
      return absl::UnavailableError(
          absl::StrCat("the storage helper closed the connection: ", strerror(errno)));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<HelperFrame> HelperBackend::NextFrame(int64_t deadline_ns, bool* timed_out) {
  char buffer[64 * 1024];
  while (true) {
    absl::StatusOr<std::optional<HelperFrame>> frame = reader_.Next();
    if (!frame.ok()) return frame.status();
    if (*frame && (*frame)->type == HelperMessage::kOffer) {
      Offered((*frame)->body);
      if (direct_only_) return absl::DataLossError("a broken offer");
      continue;
    }
    if (*frame) return **std::move(frame);
    if (!WaitFor(fd_, POLLIN, deadline_ns)) {
      *timed_out = true;
      return absl::DeadlineExceededError("the storage helper did not answer in time");
    }
    const ssize_t size = recv(fd_, buffer, sizeof(buffer), 0);
    if (size == 0) return absl::UnavailableError("the storage helper closed the connection");
    if (size < 0 && errno != EAGAIN && errno != EINTR) return ErrnoStatus("recv", "the helper");
    if (size > 0) reader_.Add(absl::string_view(buffer, size));
  }
}

void HelperBackend::TakeInOffers() {
  char buffer[64 * 1024];
  // What arrived, frame by frame: offers are few and bounded, so a helper that sends more is
  // given up before the compile has read much.
  while (fd_ >= 0) {
    while (true) {
      absl::StatusOr<std::optional<HelperFrame>> frame = reader_.Next();
      if (frame.ok() && !*frame) break;
      if (!frame.ok() || (*frame)->type != HelperMessage::kOffer) {
        return FallBack(frame.ok() ? absl::DataLossError("an answer to nothing") : frame.status());
      }
      Offered((*frame)->body);
      if (direct_only_) return;  // a broken offer: the helper is not used any more
    }
    const ssize_t size = recv(fd_, buffer, sizeof(buffer), MSG_DONTWAIT);
    if (size <= 0) return;
    reader_.Add(absl::string_view(buffer, size));
  }
}

void HelperBackend::Offered(absl::string_view body) {
  if (++offers_since_answer_ > kMaxOffersPerAnswer || body.size() > kMaxHelperOffer + 64) {
    return FallBack(absl::DataLossError("more offers than a helper makes"));
  }
  absl::StatusOr<HelperRequest> offer = DecodeRequest(body);
  if (!offer.ok()) return FallBack(offer.status());
  if (offer->remote != channel_.remote) return;
  offered_.emplace_back(offer->key, std::move(offer->bytes));
  // A compile asks for a result right after the manifest whose result was offered: the few newest.
  if (offered_.size() > kMaxOffersPerAnswer) offered_.erase(offered_.begin());
}

std::optional<std::string> HelperBackend::TakeOffered(const Digest& key) {
  auto offered = std::find_if(offered_.begin(), offered_.end(),
                              [&key](const auto& each) { return each.first == key; });
  if (offered == offered_.end()) return std::nullopt;
  std::string bytes = std::move(offered->second);
  offered_.erase(offered);
  return bytes;
}

// The compile's requests go to the remote directly from now on.
void HelperBackend::FallBack(const absl::Status& why) {
  if (direct_only_) return;
  *channel_.given_up = true;
  Log(absl::StrCat("storage helper not used (", why.message(), "): asking ", RedactUrl(spec_.url),
                   " directly"));
  Close();
  direct_only_ = true;
}

void HelperBackend::Close() {
  if (fd_ >= 0) close(fd_);
  fd_ = -1;
  reader_ = FrameReader();
}

}  // namespace ddcc
