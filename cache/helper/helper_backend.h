// A remote as a compile sees it through the storage helper: each request goes over the helper's
// Unix socket, and the helper answers from its open connections. Where the helper is absent,
// stuck or gone, the request goes to the remote directly instead, within the remote's usual
// timeouts, and so does the rest of the compile's.
//
// The requests go over a plain socket, sent as they start and their answers waited for when the
// layered store settles: no event loop is made for the helper (making one, and its rounds for
// the connect and the write, cost a remote hit about a tenth of a millisecond).
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "cache/helper/helper_protocol.h"
#include "cache/remote/remote.h"
#include "cache/remote/remote_spec.h"

namespace ddcc {

struct HelperChannel {
  std::string socket_path;
  uint8_t remote = 0;  // the remote's position in the remote_storage setting
  // A direct connection to the remote, for when the helper cannot serve; nullptr when none can
  // be made.
  std::function<std::unique_ptr<RemoteBackend>()> direct;
  // Nothing listens at the socket: a helper may be started for the compiles to come.
  std::function<void()> absent;
  // The helper did not say hello within the remote's connect-timeout: it is stuck.
  std::function<void()> stuck;
  // Shared by a compile's backends: once one has given the helper up, the others ask their
  // remotes directly at once, rather than each wait for it in turn while the direct requests
  // already started wait for the loop.
  std::shared_ptr<bool> given_up = std::make_shared<bool>(false);
};

class HelperBackend : public RemoteBackend {
 public:
  // `spec` gives the deadlines.
  HelperBackend(const RemoteSpec& spec, HelperChannel channel);
  ~HelperBackend() override;
  HelperBackend(const HelperBackend&) = delete;
  HelperBackend& operator=(const HelperBackend&) = delete;

  // Sent at once; answered in Settle (or at once, from an offer). A request the helper cannot
  // serve goes to the direct connection, on the loop.
  void StartGet(const Digest& key, GetDone done) override;
  void StartPut(const Digest& key, absl::string_view bytes, PutDone done) override;
  void Settle() override;

 private:
  struct Request {
    HelperMessage type;
    HelperRequest request;
    GetDone get;
    PutDone put;
  };

  void Start(Request request);
  // Whether the request reached the helper; if not, the helper has been given up for the rest
  // of the compile.
  bool SendRequest(const Request& request);
  // The helper's answer, or nullopt where it could not give one (given up likewise).
  std::optional<absl::StatusOr<std::string>> ReceiveAnswer();
  void StartDirect(Request request);
  absl::Status Connect();
  absl::Status Send(absl::string_view bytes, int64_t deadline_ns);
  // The next frame, read by `deadline_ns`; offers are kept on the way.
  absl::StatusOr<HelperFrame> NextFrame(int64_t deadline_ns, bool* timed_out);
  // Takes in the offers that arrived since the last answer, without waiting.
  void TakeInOffers();
  void Offered(absl::string_view body);
  std::optional<std::string> TakeOffered(const Digest& key);
  void FallBack(const absl::Status& why);
  void Close();

  RemoteSpec spec_;
  HelperChannel channel_;
  std::optional<Request> pending_;  // sent, not yet answered
  int fd_ = -1;
  bool greeted_ = false;
  bool direct_only_ = false;
  int offers_since_answer_ = 0;
  FrameReader reader_;
  // Results the helper offered (the newest first-asked include set's, after each manifest it
  // passed on), until the compile asks for them; the few newest.
  std::vector<std::pair<Digest, std::string>> offered_;
  std::unique_ptr<RemoteBackend> direct_;
};

}  // namespace ddcc
