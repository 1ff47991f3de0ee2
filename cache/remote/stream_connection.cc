// Lifetime: the handle (TCP or Unix socket) lives in a Socket that the connection lets go of when
// it is destroyed; libuv then calls the connect and write callbacks still waiting (they find no
// owner and return) and last the close callback, which frees it. A callback to the owner is the
// last thing each path does, or is followed by a check that the owner did not destroy the
// connection meanwhile.
#include "cache/remote/stream_connection.h"

#include <netinet/in.h>
#include <sys/socket.h>

#include <cstring>
#include <utility>

#include "absl/strings/str_cat.h"
#include "cache/util/peer.h"

namespace ddcc {

struct StreamConnection::Socket {
  union {
    uv_tcp_t tcp;
    uv_pipe_t pipe;
  };
  // Either handle, as libuv's stream functions take it: both begin with a uv_stream_t.
  uv_stream_t* stream() { return reinterpret_cast<uv_stream_t*>(&tcp); }
  uv_connect_t connect;
  StreamConnection* owner = nullptr;  // nullptr once the connection let go of it
  // Left uninitialised (the socket is made with `new Socket`, not `new Socket()`): zeroing it
  // would touch 16 pages a compile never reads into.
  char buffer[64 * 1024];
};

// One write under way, with the bytes it sends.
struct StreamConnection::PendingWrite {
  uv_write_t request;
  std::string bytes;
  Socket* socket;
};

absl::StatusOr<sockaddr_storage> ResolvePeer(uv_loop_t* loop, const std::string& host, int port) {
  sockaddr_storage peer{};
  if (uv_ip4_addr(host.c_str(), port, reinterpret_cast<sockaddr_in*>(&peer)) == 0 ||
      uv_ip6_addr(host.c_str(), port, reinterpret_cast<sockaddr_in6*>(&peer)) == 0) {
    return peer;
  }
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  uv_getaddrinfo_t request;
  const std::string port_text = absl::StrCat(port);
  // Without a callback, libuv resolves at once, in this thread.
  if (int error = uv_getaddrinfo(loop, &request, nullptr, host.c_str(), port_text.c_str(), &hints);
      error != 0) {
    return absl::UnavailableError(absl::StrCat("cannot resolve ", host, ": ", uv_strerror(error)));
  }
  std::memcpy(&peer, request.addrinfo->ai_addr, request.addrinfo->ai_addrlen);
  uv_freeaddrinfo(request.addrinfo);
  return peer;
}

StreamConnection::StreamConnection(Socket* socket, std::optional<TlsSettings> tls,
                                   Callbacks callbacks)
    : socket_(socket), tls_settings_(std::move(tls)), callbacks_(std::move(callbacks)) {
  socket_->owner = this;
}

// The connection for a socket whose handle is initialised; its data pointers set here.
std::unique_ptr<StreamConnection> StreamConnection::Adopt(Socket* socket,
                                                          std::optional<TlsSettings> tls,
                                                          Callbacks callbacks) {
  socket->tcp.data = socket;
  socket->connect.data = socket;
  return std::unique_ptr<StreamConnection>(
      new StreamConnection(socket, std::move(tls), std::move(callbacks)));
}

absl::StatusOr<std::unique_ptr<StreamConnection>> StreamConnection::Open(
    uv_loop_t* loop, const sockaddr_storage& peer, std::optional<TlsSettings> tls,
    Callbacks callbacks) {
  auto* socket = new Socket;
  if (int error = uv_tcp_init(loop, &socket->tcp); error != 0) {
    delete socket;
    return absl::UnavailableError(uv_strerror(error));
  }
  std::unique_ptr<StreamConnection> connection =
      Adopt(socket, std::move(tls), std::move(callbacks));
  if (int error = uv_tcp_connect(&socket->connect, &socket->tcp,
                                 reinterpret_cast<const sockaddr*>(&peer), OnConnect);
      error != 0) {
    return absl::UnavailableError(absl::StrCat("cannot connect: ", uv_strerror(error)));
  }
  return connection;
}

absl::StatusOr<std::unique_ptr<StreamConnection>> StreamConnection::OpenLocal(
    uv_loop_t* loop, const std::string& path, Callbacks callbacks) {
  auto* socket = new Socket;
  if (int error = uv_pipe_init(loop, &socket->pipe, 0); error != 0) {
    delete socket;
    return absl::UnavailableError(uv_strerror(error));
  }
  std::unique_ptr<StreamConnection> connection = Adopt(socket, std::nullopt, std::move(callbacks));
  // Its failures, such as no socket at the path, come through OnConnect.
  uv_pipe_connect(&socket->connect, &socket->pipe, path.c_str(), OnConnect);
  return connection;
}

absl::StatusOr<std::unique_ptr<StreamConnection>> StreamConnection::Accept(uv_stream_t* server,
                                                                           Callbacks callbacks) {
  auto* socket = new Socket;
  if (int error = uv_pipe_init(server->loop, &socket->pipe, 0); error != 0) {
    delete socket;
    return absl::UnavailableError(uv_strerror(error));
  }
  std::unique_ptr<StreamConnection> connection = Adopt(socket, std::nullopt, std::move(callbacks));
  if (int error = uv_accept(server, socket->stream()); error != 0) {
    return absl::UnavailableError(absl::StrCat("cannot accept: ", uv_strerror(error)));
  }
  connection->ready_ = true;
  connection->StartReading();
  return connection;
}

StreamConnection::~StreamConnection() {
  socket_->owner = nullptr;
  uv_close(reinterpret_cast<uv_handle_t*>(socket_->stream()),
           [](uv_handle_t* handle) { delete static_cast<Socket*>(handle->data); });
}

absl::Status StreamConnection::Write(absl::string_view bytes) {
  if (!ready_) {
    unsent_.append(bytes.data(), bytes.size());
    return absl::OkStatus();
  }
  if (tls_ == nullptr) return SendToSocket(std::string(bytes));
  if (absl::Status sent = tls_->Send(bytes); !sent.ok()) return sent;
  return SendToSocket(tls_->TakeOutgoing());
}

void StreamConnection::StopReading() { uv_read_stop(socket_->stream()); }

void StreamConnection::StartReading() {
  uv_read_start(
      socket_->stream(),
      [](uv_handle_t* handle, size_t, uv_buf_t* buffer) {
        auto* socket = static_cast<Socket*>(handle->data);
        *buffer = uv_buf_init(socket->buffer, sizeof(socket->buffer));
      },
      OnRead);
}

void StreamConnection::ReadArrived() {
  uv_os_fd_t fd;
  if (!ready_ || uv_fileno(reinterpret_cast<const uv_handle_t*>(socket_->stream()), &fd) != 0) {
    return;
  }
  Socket* socket = socket_;
  while (socket->owner != nullptr) {
    const ssize_t size = recv(fd, socket->buffer, sizeof(socket->buffer), MSG_DONTWAIT);
    if (size <= 0) return;
    socket->owner->BytesIn(absl::string_view(socket->buffer, size));
  }
}

// Bytes libuv still holds, not writes whose callbacks have yet to run: libuv calls those on the
// loop's next turn, after bytes read in this one.
bool StreamConnection::writing() const {
  return uv_stream_get_write_queue_size(socket_->stream()) > 0 || !unsent_.empty();
}

std::optional<uid_t> StreamConnection::PeerUid() const {
  uv_os_fd_t fd;
  if (uv_fileno(reinterpret_cast<const uv_handle_t*>(socket_->stream()), &fd) != 0)
    return std::nullopt;
  return SocketPeerUid(fd);
}

absl::Status StreamConnection::SendToSocket(std::string bytes) {
  if (bytes.empty()) return absl::OkStatus();
  auto* write = new PendingWrite{{}, std::move(bytes), socket_};
  write->request.data = write;
  uv_buf_t buffer = uv_buf_init(write->bytes.data(), static_cast<unsigned>(write->bytes.size()));
  if (int error = uv_write(&write->request, socket_->stream(), &buffer, 1, OnWrite); error != 0) {
    delete write;
    return absl::UnavailableError(uv_strerror(error));
  }
  return absl::OkStatus();
}

void StreamConnection::Connected() {
  StartReading();
  if (!tls_settings_) return Ready();
  // The handshake's first bytes; Ready once it is done.
  absl::StatusOr<std::unique_ptr<TlsSession>> tls = TlsSession::Start(*tls_settings_);
  if (!tls.ok()) return Ended(tls.status());
  tls_ = *std::move(tls);
  if (absl::Status sent = SendToSocket(tls_->TakeOutgoing()); !sent.ok()) {
    return Ended(sent);
  }
}

void StreamConnection::Ready() {
  ready_ = true;
  if (absl::Status sent = Write(std::exchange(unsent_, "")); !sent.ok()) {
    return Ended(sent);
  }
  Call(callbacks_.ready);
}

void StreamConnection::BytesIn(absl::string_view bytes) {
  if (tls_ == nullptr) return Call(callbacks_.received, bytes);
  std::string plain;
  const bool was_done = tls_->handshake_done();
  if (absl::Status status = tls_->Received(bytes, plain); !status.ok()) {
    return Ended(status);
  }
  if (absl::Status sent = SendToSocket(tls_->TakeOutgoing()); !sent.ok()) {
    return Ended(sent);
  }
  if (!was_done && tls_->handshake_done()) {
    Socket* socket = socket_;
    Ready();
    if (socket->owner == nullptr) return;  // the owner let go of the connection
  }
  if (!plain.empty()) Call(callbacks_.received, plain);
}

void StreamConnection::Ended(const absl::Status& why) { Call(callbacks_.ended, why); }

void StreamConnection::OnConnect(uv_connect_t* request, int status) {
  auto* socket = static_cast<Socket*>(request->data);
  StreamConnection* self = socket->owner;
  if (self == nullptr) return;
  if (status < 0) {
    // A listener too busy to take more connections: full, not absent.
    return self->Ended(absl::Status(
        status == UV_EAGAIN ? absl::StatusCode::kResourceExhausted : absl::StatusCode::kUnavailable,
        absl::StrCat("cannot connect: ", uv_strerror(status))));
  }
  self->Connected();
}

void StreamConnection::OnWrite(uv_write_t* request, int status) {
  std::unique_ptr<PendingWrite> write(static_cast<PendingWrite*>(request->data));
  Socket* socket = write->socket;
  if (socket->owner == nullptr || status == 0) return;
  socket->owner->Ended(absl::UnavailableError(uv_strerror(status)));
}

void StreamConnection::OnRead(uv_stream_t* stream, ssize_t size, const uv_buf_t* buffer) {
  auto* socket = static_cast<Socket*>(stream->data);
  StreamConnection* self = socket->owner;
  if (self == nullptr || size == 0) return;
  if (size > 0) return self->BytesIn(absl::string_view(buffer->base, size));
  self->Ended(size == UV_EOF ? absl::OkStatus() : absl::UnavailableError(uv_strerror(size)));
}

}  // namespace ddcc
