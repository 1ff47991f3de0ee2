// A remote as a compile sees it through the storage helper: each request goes over the helper's
// Unix socket, and the helper answers from its open connections. Where the helper is absent,
// stuck or gone, the request goes to the remote directly instead, within the remote's usual
// timeouts, and so does the rest of the compile's.
#pragma once

#include <uv.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "cache/helper/helper_protocol.h"
#include "cache/remote/remote.h"
#include "cache/remote/remote_spec.h"
#include "cache/remote/stream_connection.h"
#include "cache/util/deadline_timer.h"

namespace ddcc {

struct HelperChannel {
  std::string socket_path;
  uint8_t remote = 0;  // the remote's position in the remote_storage setting
  // A direct connection to the remote, for when the helper cannot serve.
  std::function<std::unique_ptr<RemoteBackend>()> direct;
  // Nothing listens at the socket: a helper may be started for the compiles to come.
  std::function<void()> absent;
  // The helper did not say hello within the remote's connect-timeout: it is stuck.
  std::function<void()> stuck;
};

class HelperBackend : public RemoteBackend {
 public:
  // `spec` gives the deadlines. The loop must be run after the backend is destroyed, to close its
  // handles.
  HelperBackend(const RemoteSpec& spec, HelperChannel channel, uv_loop_t* loop);
  ~HelperBackend() override;
  HelperBackend(const HelperBackend&) = delete;
  HelperBackend& operator=(const HelperBackend&) = delete;

  void StartGet(const Digest& key, GetDone done) override;
  void StartPut(const Digest& key, absl::string_view bytes, PutDone done) override;

 private:
  enum class State { kUnconnected, kConnecting, kGreeting, kReady, kDirect };
  struct Request {
    HelperMessage type;
    HelperRequest request;
    GetDone get;
    PutDone put;
  };

  void Start(Request request);
  void Offered(absl::string_view body);
  std::optional<std::string> TakeOffered(const Digest& key);
  void Send();
  void Received(absl::string_view bytes);
  void Ended(const absl::Status& why);
  void Expired();
  void Finish(absl::StatusOr<std::string> answer);
  void Close();
  void FallBack(const absl::Status& why);
  void StartDirect(Request request);

  RemoteSpec spec_;
  HelperChannel channel_;
  uv_loop_t* loop_;
  DeadlineTimer timer_;
  State state_ = State::kUnconnected;
  std::unique_ptr<StreamConnection> connection_;
  FrameReader reader_;
  std::optional<Request> pending_;
  // Results the helper offered (the newest first-asked include set's, after each manifest it
  // passed on), until the compile asks for them; the few newest.
  std::vector<std::pair<Digest, std::string>> offered_;
  std::unique_ptr<RemoteBackend> direct_;
};

}  // namespace ddcc
