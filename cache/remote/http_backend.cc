// Lifetime: the TCP handle lives in a Connection that the backend lets go of when it closes it;
// libuv then calls the connect and write callbacks still waiting (they find no owner and return)
// and last the close callback, which frees it. Every path ends in Finish, which answers the
// request under way exactly once.
#include "cache/remote/http_backend.h"

#include <netinet/in.h>
#include <sys/socket.h>

#include <cstring>
#include <memory>
#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"

namespace ddcc {

struct HttpBackend::Connection {
  uv_tcp_t tcp;
  uv_connect_t connect;
  HttpBackend* owner = nullptr;  // nullptr once the backend let go of it
  bool connected = false;        // and, with TLS, the handshake done
  int writes = 0;                // under way: a request's bytes are not all sent
  std::unique_ptr<TlsSession> tls;
  char buffer[64 * 1024];
};

// One write under way, with the bytes it sends.
struct HttpBackend::Write {
  uv_write_t request;
  std::string bytes;
  Connection* connection;
};

namespace {

// The server's address; a host name is resolved by the system's resolver, which the timeouts do
// not bound (docs/remote.md).
absl::StatusOr<sockaddr_storage> Resolve(uv_loop_t* loop, const HttpAddress& address) {
  sockaddr_storage peer{};
  if (uv_ip4_addr(address.host.c_str(), address.port, reinterpret_cast<sockaddr_in*>(&peer)) == 0 ||
      uv_ip6_addr(address.host.c_str(), address.port, reinterpret_cast<sockaddr_in6*>(&peer)) ==
          0) {
    return peer;
  }
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  uv_getaddrinfo_t request;
  const std::string port = absl::StrCat(address.port);
  // Without a callback, libuv resolves at once, in this thread.
  if (int error =
          uv_getaddrinfo(loop, &request, nullptr, address.host.c_str(), port.c_str(), &hints);
      error != 0) {
    return absl::UnavailableError(
        absl::StrCat("cannot resolve ", address.host, ": ", uv_strerror(error)));
  }
  std::memcpy(&peer, request.addrinfo->ai_addr, request.addrinfo->ai_addrlen);
  uv_freeaddrinfo(request.addrinfo);
  return peer;
}

std::string HostHeader(const HttpAddress& address) {
  bool ipv6 = address.host.find(':') != std::string::npos;
  const int default_port = address.tls ? 443 : 80;
  return absl::StrCat(ipv6 ? "[" : "", address.host, ipv6 ? "]" : "",
                      address.port == default_port ? "" : absl::StrCat(":", address.port));
}

}  // namespace

HttpBackend::HttpBackend(const RemoteSpec& spec, uv_loop_t* loop)
    : spec_(spec),
      address_(*ParseHttpUrl(spec.url)),
      tls_settings_{address_.host, spec.ca_file, spec.insecure},
      loop_(loop),
      timer_(loop,
             [this] { Drop(TimedOut(spec_, connection_ != nullptr && connection_->connected)); }) {}

HttpBackend::~HttpBackend() { Drop(absl::CancelledError("closing")); }

std::string HttpBackend::KeyPath(const HttpAddress& address, HttpLayout layout, const Digest& key) {
  if (layout == HttpLayout::kFlat) return absl::StrCat(address.path, "/", key.Hex());
  // bazel-remote takes only SHA-256 sized names; the action cache checks nothing else of them.
  std::string name = key.Hex();
  name.resize(64, '0');
  return absl::StrCat(address.path, "/ac/", name);
}

void HttpBackend::StartGet(const Digest& key, GetDone done) {
  Start("GET", key, "", [this, done = std::move(done)](absl::StatusOr<HttpResponse> response) {
    if (!response.ok()) return done(response.status());
    if (response->status == 404) return done(absl::NotFoundError(Describe("404")));
    if (response->status != 200) {
      return done(
          absl::UnavailableError(Describe(absl::StrCat("GET answered ", response->status))));
    }
    done(std::move(response->body));
  });
}

void HttpBackend::StartPut(const Digest& key, absl::string_view bytes, PutDone done) {
  Start("PUT", key, bytes, [this, done = std::move(done)](absl::StatusOr<HttpResponse> response) {
    if (!response.ok()) return done(response.status());
    if (response->status / 100 != 2) {
      return done(
          absl::UnavailableError(Describe(absl::StrCat("PUT answered ", response->status))));
    }
    done(absl::OkStatus());
  });
}

void HttpBackend::Start(absl::string_view method, const Digest& key, absl::string_view body,
                        ResponseDone done) {
  pending_ = std::move(done);
  request_ = absl::StrCat(method, " ", KeyPath(address_, spec_.layout, key),
                          " HTTP/1.1\r\nHost: ", HostHeader(address_), "\r\n");
  if (!address_.user.empty() || !address_.password.empty()) {
    absl::StrAppend(&request_, "Authorization: Basic ",
                    absl::Base64Escape(absl::StrCat(address_.user, ":", address_.password)),
                    "\r\n");
  }
  if (method == "PUT") {
    absl::StrAppend(&request_,
                    "Content-Type: application/octet-stream\r\nContent-Length: ", body.size(),
                    "\r\n");
  }
  absl::StrAppend(&request_, "\r\n", body);
  resent_ = false;
  reused_ = connection_ != nullptr && connection_->connected;
  if (!reused_) return Connect();
  timer_.Start(spec_.timeout_ms);
  Send();
}

void HttpBackend::Connect() {
  Close();
  absl::StatusOr<sockaddr_storage> peer = Resolve(loop_, address_);
  if (!peer.ok()) return Finish(absl::UnavailableError(Describe(peer.status().message())));
  auto* connection = new Connection();
  connection->owner = this;
  if (int error = uv_tcp_init(loop_, &connection->tcp); error != 0) {
    delete connection;
    return Finish(absl::UnavailableError(Describe(uv_strerror(error))));
  }
  connection->tcp.data = connection;
  connection->connect.data = connection;
  connection_ = connection;
  timer_.Start(spec_.connect_timeout_ms);
  if (int error = uv_tcp_connect(&connection->connect, &connection->tcp,
                                 reinterpret_cast<const sockaddr*>(&*peer), OnConnect);
      error != 0) {
    Drop(absl::UnavailableError(Describe(absl::StrCat("cannot connect: ", uv_strerror(error)))));
  }
}

// Sends the request under way; with TLS, queued until the handshake is done.
void HttpBackend::Send() {
  parser_ = HttpResponseParser();
  auto* stream = reinterpret_cast<uv_stream_t*>(&connection_->tcp);
  if (TlsSession* tls = connection_->tls.get()) {
    if (absl::Status queued = tls->Send(request_); !queued.ok()) {
      return Drop(absl::UnavailableError(Describe(queued.message())));
    }
    if (!WriteBytes(tls->TakeOutgoing())) return;
  } else if (!WriteBytes(request_)) {
    return;
  }
  uv_read_start(
      stream,
      [](uv_handle_t* handle, size_t, uv_buf_t* buffer) {
        auto* connection = static_cast<Connection*>(handle->data);
        *buffer = uv_buf_init(connection->buffer, sizeof(connection->buffer));
      },
      OnRead);
}

// False where the write could not start (the request then has its answer).
bool HttpBackend::WriteBytes(std::string bytes) {
  if (bytes.empty()) return true;
  auto* write = new Write{{}, std::move(bytes), connection_};
  write->request.data = write;
  uv_buf_t buffer = uv_buf_init(write->bytes.data(), static_cast<unsigned>(write->bytes.size()));
  if (int error = uv_write(&write->request, reinterpret_cast<uv_stream_t*>(&connection_->tcp),
                           &buffer, 1, OnWrite);
      error != 0) {
    delete write;
    Ended(absl::UnavailableError(uv_strerror(error)));
    return false;
  }
  ++connection_->writes;
  return true;
}

// Bytes from the socket: with TLS, the handshake's or ciphertext to decrypt.
void HttpBackend::ReceivedOnSocket(absl::string_view bytes) {
  TlsSession* tls = connection_->tls.get();
  if (tls == nullptr) return Received(bytes);
  std::string plain;
  const bool was_done = tls->handshake_done();
  if (absl::Status status = tls->Received(bytes, plain); !status.ok()) {
    return Drop(absl::UnavailableError(Describe(status.message())));
  }
  if (!WriteBytes(tls->TakeOutgoing())) return;
  if (!was_done && tls->handshake_done()) {
    // Connected and trusted within connect-timeout; the request now has its own timeout.
    connection_->connected = true;
    timer_.Start(spec_.timeout_ms);
  }
  if (!plain.empty()) Received(plain);
}

void HttpBackend::Received(absl::string_view bytes) {
  if (!pending_) return Close();  // nothing asked: the server is closing an idle connection
  if (absl::Status status = parser_.Feed(bytes); !status.ok()) {
    return Drop(absl::UnavailableError(Describe(status.message())));
  }
  if (!parser_.done()) return;
  HttpResponse response = std::move(parser_.response());
  // A server may answer before it has read the whole request (a refused PUT): the rest of it
  // would go before the next request on the connection.
  if (response.keep_alive && connection_->writes == 0) {
    uv_read_stop(reinterpret_cast<uv_stream_t*>(&connection_->tcp));
  } else {
    Close();
  }
  Finish(std::move(response));
}

// The connection ended (`why` OK at its end, else the error), or a write failed.
void HttpBackend::Ended(const absl::Status& why) {
  if (!pending_) return Close();
  absl::Status ended = why.ok() ? parser_.End() : why;
  if (ended.ok()) {
    Close();
    return Finish(std::move(parser_.response()));
  }
  // A server may close a kept-open connection just as a request goes out on it: the request
  // then goes again, once, on a new connection.
  if (reused_ && !resent_ && !parser_.started()) {
    resent_ = true;
    reused_ = false;
    return Connect();
  }
  Drop(absl::UnavailableError(Describe(ended.message())));
}

void HttpBackend::Finish(absl::StatusOr<HttpResponse> response) {
  if (!pending_) return;
  timer_.Stop();
  ResponseDone done = std::exchange(pending_, nullptr);
  done(std::move(response));
}

// Closes the connection first: `done` may start the next request.
void HttpBackend::Drop(const absl::Status& why) {
  Close();
  Finish(why);
}

void HttpBackend::Close() {
  Connection* connection = std::exchange(connection_, nullptr);
  if (connection == nullptr) return;
  connection->owner = nullptr;
  uv_close(reinterpret_cast<uv_handle_t*>(&connection->tcp),
           [](uv_handle_t* handle) { delete static_cast<Connection*>(handle->data); });
}

std::string HttpBackend::Describe(absl::string_view what) const {
  return absl::StrCat(RedactUrl(spec_.url), ": ", what);
}

void HttpBackend::OnConnect(uv_connect_t* request, int status) {
  auto* connection = static_cast<Connection*>(request->data);
  HttpBackend* self = connection->owner;
  if (self == nullptr) return;
  if (status < 0) {
    return self->Drop(absl::UnavailableError(
        self->Describe(absl::StrCat("cannot connect: ", uv_strerror(status)))));
  }
  if (self->address_.tls) {
    // The handshake goes first, within connect-timeout still.
    absl::StatusOr<std::unique_ptr<TlsSession>> tls = TlsSession::Start(self->tls_settings_);
    if (!tls.ok())
      return self->Drop(absl::UnavailableError(self->Describe(tls.status().message())));
    connection->tls = *std::move(tls);
    return self->Send();
  }
  connection->connected = true;
  // Connected within connect-timeout; the request now has its own timeout.
  self->timer_.Start(self->spec_.timeout_ms);
  self->Send();
}

void HttpBackend::OnWrite(uv_write_t* request, int status) {
  std::unique_ptr<Write> write(static_cast<Write*>(request->data));
  Connection* connection = write->connection;
  --connection->writes;
  if (connection->owner == nullptr || status == 0) return;
  connection->owner->Ended(absl::UnavailableError(uv_strerror(status)));
}

void HttpBackend::OnRead(uv_stream_t* stream, ssize_t size, const uv_buf_t* buffer) {
  auto* connection = static_cast<Connection*>(stream->data);
  HttpBackend* self = connection->owner;
  if (self == nullptr || size == 0) return;
  if (size > 0) return self->ReceivedOnSocket(absl::string_view(buffer->base, size));
  self->Ended(size == UV_EOF ? absl::OkStatus() : absl::UnavailableError(uv_strerror(size)));
}

}  // namespace ddcc
