// The storage helper: a long-lived process per user and remote configuration that compiles ask
// for remote entries over a Unix socket. It keeps the remotes' connections (and their TLS
// sessions) open between compiles and uploads new entries in the background. It serves only its
// own user, and stops when asked or when idle.
#pragma once

#include <sys/types.h>
#include <uv.h>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "cache/helper/helper_protocol.h"
#include "cache/helper/remote_pool.h"
#include "cache/remote/remote_spec.h"
#include "cache/remote/stream_connection.h"

namespace ddcc {

struct HelperSettings {
  std::vector<RemoteSpec> remotes;  // as the compiles number them
  int64_t idle_timeout_ms = 0;      // 0: never
  // A direct connection to one of the remotes.
  std::function<std::unique_ptr<RemoteBackend>(const RemoteSpec&, uv_loop_t*)> make;
  RemotePool::UploadFailed upload_failed;
};

class HelperServer {
 public:
  HelperServer(uv_loop_t* loop, HelperSettings settings);
  ~HelperServer();
  HelperServer(const HelperServer&) = delete;
  HelperServer& operator=(const HelperServer&) = delete;

  // Listens at `path`, replacing whatever socket is there: the caller holds the lock that makes
  // it the only helper for the path. Then run the loop: it returns once the helper has stopped.
  absl::Status Listen(const std::string& path);
  // Takes no more compiles; exits the loop once the uploads are done. For SIGTERM too.
  void Stop();

 private:
  // A result fetched ahead for a compile: under way (no answer yet; `asked` once the compile asks
  // for it before it arrives) or arrived (kept for a lookup that crossed its offer).
  struct Ahead {
    uint8_t remote = 0;
    std::optional<absl::StatusOr<std::string>> answer;
    bool asked = false;
  };
  struct Client {
    std::unique_ptr<StreamConnection> connection;
    FrameReader reader;
    bool greeted = false;
    bool said_hello = false;
    std::map<std::string, Ahead> ahead;  // by the result's hex key
  };

  void Accept();
  void Received(uint64_t id, absl::string_view bytes);
  void Handle(uint64_t id, HelperFrame frame);
  void Serve(uint64_t id, HelperMessage type, absl::string_view body);
  bool AnswerFromAhead(uint64_t id, const HelperRequest& request);
  void FetchAhead(uint64_t id, uint8_t remote, const Digest& manifest_key,
                  const std::string& answer);
  void Arrived(uint64_t id, const Digest& key, bool offer, absl::StatusOr<std::string> answer);
  void Answer(uint64_t id, const absl::StatusOr<std::string>& answer);
  void Send(uint64_t id, const std::string& frame);
  void SayHello(uint64_t id);
  void SayHellosDue();
  bool Busy() const;
  bool SocketOurs() const;
  void Idle();
  void FinishIfDone();

  uv_loop_t* loop_;
  HelperSettings settings_;
  std::string path_;
  uv_pipe_t* listener_ = nullptr;
  uv_timer_t* idle_timer_;
  uv_timer_t* hello_timer_;  // runs while a greeted compile waits for the helper's hello
  uv_timer_t* socket_timer_;
  std::pair<dev_t, ino_t> socket_;  // the socket bound at path_
  std::vector<std::unique_ptr<RemotePool>> pools_;
  std::map<uint64_t, Client> clients_;
  uint64_t next_id_ = 0;
  bool stopping_ = false;
};

}  // namespace ddcc
