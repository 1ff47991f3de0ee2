// Lifetime: the TCP handle lives in a Connection that the backend lets go of when it closes it;
// libuv then calls the connect and write callbacks still waiting (they find no owner and return)
// and last the close callback, which frees it. Every path ends in Finish, which answers the
// request under way exactly once.
#include "cache/remote/http_backend.h"

#include <netinet/in.h>
#include <sys/socket.h>

#include <cstring>
#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"

namespace ddcc {

struct HttpBackend::Connection {
  uv_tcp_t tcp;
  uv_connect_t connect;
  uv_write_t write;
  HttpBackend* owner = nullptr;  // nullptr once the backend let go of it
  bool connected = false;
  bool writing = false;  // a request's bytes are not all sent
  char buffer[64 * 1024];
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
  return absl::StrCat(ipv6 ? "[" : "", address.host, ipv6 ? "]" : "",
                      address.port == 80 ? "" : absl::StrCat(":", address.port));
}

}  // namespace

HttpBackend::HttpBackend(const RemoteSpec& spec, uv_loop_t* loop)
    : spec_(spec), address_(*ParseHttpUrl(spec.url)), loop_(loop), timer_(loop, [this] {
        Drop(TimedOut(spec_, connection_ != nullptr && connection_->connected));
      }) {}

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
  connection->write.data = connection;
  connection_ = connection;
  timer_.Start(spec_.connect_timeout_ms);
  if (int error = uv_tcp_connect(&connection->connect, &connection->tcp,
                                 reinterpret_cast<const sockaddr*>(&*peer), OnConnect);
      error != 0) {
    Drop(absl::UnavailableError(Describe(absl::StrCat("cannot connect: ", uv_strerror(error)))));
  }
}

void HttpBackend::Send() {
  parser_ = HttpResponseParser();
  auto* stream = reinterpret_cast<uv_stream_t*>(&connection_->tcp);
  uv_buf_t buffer = uv_buf_init(request_.data(), static_cast<unsigned>(request_.size()));
  if (int error = uv_write(&connection_->write, stream, &buffer, 1, OnWrite); error != 0) {
    return Ended(absl::UnavailableError(uv_strerror(error)));
  }
  connection_->writing = true;
  uv_read_start(
      stream,
      [](uv_handle_t* handle, size_t, uv_buf_t* buffer) {
        auto* connection = static_cast<Connection*>(handle->data);
        *buffer = uv_buf_init(connection->buffer, sizeof(connection->buffer));
      },
      OnRead);
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
  if (response.keep_alive && !connection_->writing) {
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
  connection->connected = true;
  // Connected within connect-timeout; the request now has its own timeout.
  self->timer_.Start(self->spec_.timeout_ms);
  self->Send();
}

void HttpBackend::OnWrite(uv_write_t* request, int status) {
  auto* connection = static_cast<Connection*>(request->data);
  connection->writing = false;
  if (connection->owner == nullptr || status == 0) return;
  connection->owner->Ended(absl::UnavailableError(uv_strerror(status)));
}

void HttpBackend::OnRead(uv_stream_t* stream, ssize_t size, const uv_buf_t* buffer) {
  auto* connection = static_cast<Connection*>(stream->data);
  HttpBackend* self = connection->owner;
  if (self == nullptr || size == 0) return;
  if (size > 0) return self->Received(absl::string_view(buffer->base, size));
  self->Ended(size == UV_EOF ? absl::OkStatus() : absl::UnavailableError(uv_strerror(size)));
}

}  // namespace ddcc
