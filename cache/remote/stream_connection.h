// One connection on a libuv loop: to a remote over TCP, with TLS over it when asked, or over a
// Unix socket between a compile and the storage helper. Its owner writes bytes and gets what comes
// back through callbacks; the protocols (HTTP, Redis, the helper's) sit on it and never see
// sockets or TLS.
#pragma once

#include <sys/socket.h>
#include <sys/types.h>
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
    // The connection is over: OK where the server ended it, else why (refused, TLS, a write;
    // ResourceExhausted where a Unix socket's listener has a full backlog).
    std::function<void(const absl::Status&)> ended;
  };

  // Starts connecting to `peer`, with TLS over the connection when `tls` is given; an error
  // where it cannot start. Every callback may destroy the connection.
  static absl::StatusOr<std::unique_ptr<StreamConnection>> Open(uv_loop_t* loop,
                                                                const sockaddr_storage& peer,
                                                                std::optional<TlsSettings> tls,
                                                                Callbacks callbacks);
  // Starts connecting to the Unix socket at `path`.
  static absl::StatusOr<std::unique_ptr<StreamConnection>> OpenLocal(uv_loop_t* loop,
                                                                     const std::string& path,
                                                                     Callbacks callbacks);
  // The next connection waiting on the listening Unix socket `server`, ready at once; `ready` is
  // not called.
  static absl::StatusOr<std::unique_ptr<StreamConnection>> Accept(uv_stream_t* server,
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
  // Passes on at once, without waiting for the loop, what has arrived and is not read yet: for a
  // peer that sends unasked. An end of the connection is left for the loop to find.
  void ReadArrived();

  bool ready() const { return ready_; }
  bool writing() const;  // some bytes are not handed to the kernel yet
  // The user on the other end of a Unix socket; nullopt when it cannot be told.
  std::optional<uid_t> PeerUid() const;

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

  static std::unique_ptr<StreamConnection> Adopt(Socket* socket, std::optional<TlsSettings> tls,
                                                 Callbacks callbacks);
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
