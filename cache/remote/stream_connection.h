// One client connection to a remote on a libuv loop: TCP, with TLS over it when asked. Its owner
// writes bytes and gets what comes back through callbacks; the protocols (HTTP, Redis) sit on it
// and never see sockets or TLS.
#pragma once

#include <sys/socket.h>
#include <uv.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "cache/remote/tls_session.h"

namespace ddcc {

// The server's address; a host name is resolved by the system's resolver, which the remotes'
// timeouts do not bound (docs/remote.md).
absl::StatusOr<sockaddr_storage> ResolvePeer(uv_loop_t* loop, const std::string& host, int port);

class StreamConnection {
 public:
  struct Callbacks {
    std::function<void()> ready;                      // connected, and TLS' handshake done
    std::function<void(absl::string_view)> received;  // what the server sent (decrypted)
    // The connection is over: OK where the server ended it, else why (refused, TLS, a write).
    std::function<void(const absl::Status&)> ended;
  };

  // Starts connecting to `peer`, with TLS over the connection when `tls` is given; an error
  // where it cannot start. Every callback may destroy the connection.
  static absl::StatusOr<std::unique_ptr<StreamConnection>> Open(uv_loop_t* loop,
                                                                const sockaddr_storage& peer,
                                                                std::optional<TlsSettings> tls,
                                                                Callbacks callbacks);
  // Closes the connection; no callback comes after.
  ~StreamConnection();
  StreamConnection(const StreamConnection&) = delete;
  StreamConnection& operator=(const StreamConnection&) = delete;

  // Sends `bytes` after those before; kept until the connection is ready. An error where they
  // cannot go (the connection is then of no more use); a later failure arrives through `ended`.
  absl::Status Write(absl::string_view bytes);
  // Reading goes on from the connect until stopped: an idle connection's bytes and end then
  // wait until reading starts again.
  void StopReading();
  void StartReading();

  bool ready() const { return ready_; }
  bool writing() const;  // some bytes are not handed to the kernel yet

 private:
  struct Socket;
  struct PendingWrite;
  StreamConnection(Socket* socket, std::optional<TlsSettings> tls, Callbacks callbacks);
  absl::Status SendToSocket(std::string bytes);
  void Connected();
  void Ready();
  void BytesIn(absl::string_view bytes);
  void Ended(const absl::Status& why);

  // The owner may destroy the connection, and with it the callback, while the callback runs:
  // each is called through a copy.
  template <typename Callback, typename... Args>
  static void Call(const Callback& callback, Args&&... args) {
    Callback copy = callback;
    copy(std::forward<Args>(args)...);
  }

  static void OnConnect(uv_connect_t* request, int status);
  static void OnWrite(uv_write_t* request, int status);
  static void OnRead(uv_stream_t* stream, ssize_t size, const uv_buf_t* buffer);

  Socket* socket_;  // freed by libuv's close callback, after this is gone
  std::optional<TlsSettings> tls_settings_;
  std::unique_ptr<TlsSession> tls_;
  Callbacks callbacks_;
  bool ready_ = false;
  std::string unsent_;  // written before the connection was ready
};

}  // namespace ddcc
