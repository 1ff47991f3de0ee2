// Every path ends in Finish, which answers the request under way exactly once.
#include "cache/remote/http_backend.h"

#include <memory>
#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"

namespace ddcc {
namespace {

std::string HostHeader(const HttpAddress& address) {
  bool ipv6 = address.host.find(':') != std::string::npos;
  const int default_port = address.tls ? 443 : 80;
  return absl::StrCat(ipv6 ? "[" : "", address.host, ipv6 ? "]" : "",
                      address.port == default_port ? "" : absl::StrCat(":", address.port));
}

// S3's reason for refusing, from its XML error body: " (SignatureDoesNotMatch)"; else "".
std::string ErrorCodeIn(absl::string_view body) {
  size_t begin = body.find("<Code>");
  size_t end = body.find("</Code>");
  if (begin == absl::string_view::npos || end == absl::string_view::npos || end < begin ||
      end - begin > 80) {
    return "";
  }
  return absl::StrCat(" (", body.substr(begin + 6, end - begin - 6), ")");
}

}  // namespace

HttpService PlainHttpService(const RemoteSpec& spec) {
  HttpService service;
  service.address = *ParseHttpUrl(spec.url);
  service.path_of = [address = service.address, layout = spec.layout](const Digest& key) {
    return HttpBackend::KeyPath(address, layout, key);
  };
  if (!service.address.user.empty() || !service.address.password.empty()) {
    const std::string header = absl::StrCat(
        "Authorization: Basic ",
        absl::Base64Escape(absl::StrCat(service.address.user, ":", service.address.password)),
        "\r\n");
    service.headers = [header](const HttpRequestLine&) { return header; };
  }
  return service;
}

HttpBackend::HttpBackend(const RemoteSpec& spec, HttpService service, uv_loop_t* loop)
    : spec_(spec),
      service_(std::move(service)),
      address_(service_.address),
      loop_(loop),
      timer_(loop,
             [this] { Drop(TimedOut(spec_, connection_ != nullptr && connection_->ready())); }) {}

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
      return done(absl::UnavailableError(
          Describe(absl::StrCat("GET answered ", response->status, ErrorCodeIn(response->body)))));
    }
    done(std::move(response->body));
  });
}

void HttpBackend::StartPut(const Digest& key, absl::string_view bytes, PutDone done) {
  Start("PUT", key, bytes, [this, done = std::move(done)](absl::StatusOr<HttpResponse> response) {
    if (!response.ok()) return done(response.status());
    if (response->status / 100 != 2) {
      return done(absl::UnavailableError(
          Describe(absl::StrCat("PUT answered ", response->status, ErrorCodeIn(response->body)))));
    }
    done(absl::OkStatus());
  });
}

void HttpBackend::Start(absl::string_view method, const Digest& key, absl::string_view body,
                        ResponseDone done) {
  pending_ = std::move(done);
  const std::string path = service_.path_of(key);
  const std::string host = HostHeader(address_);
  request_ = absl::StrCat(method, " ", path, " HTTP/1.1\r\nHost: ", host, "\r\n");
  if (service_.headers) {
    absl::StrAppend(&request_, service_.headers(HttpRequestLine{method, path, host, body}));
  }
  if (method == "PUT") {
    absl::StrAppend(&request_,
                    "Content-Type: application/octet-stream\r\nContent-Length: ", body.size(),
                    "\r\n");
  }
  absl::StrAppend(&request_, "\r\n", body);
  resent_ = false;
  reused_ = connection_ != nullptr && connection_->ready();
  if (!reused_) return Connect();
  timer_.Start(spec_.timeout_ms, request_.size());
  Send();
}

void HttpBackend::Connect() {
  Close();
  absl::StatusOr<sockaddr_storage> peer = ResolvePeer(loop_, address_.host, address_.port);
  if (!peer.ok()) return Finish(absl::UnavailableError(Describe(peer.status().message())));
  std::optional<TlsSettings> tls;
  if (address_.tls) tls = TlsSettingsOf(spec_, address_.host);
  timer_.Start(spec_.connect_timeout_ms);
  absl::StatusOr<std::unique_ptr<StreamConnection>> opened =
      StreamConnection::Open(loop_, *peer, std::move(tls),
                             {.ready =
                                  [this] {
                                    // Connected (and trusted) within connect-timeout; the request
                                    // now has its own.
                                    timer_.Start(spec_.timeout_ms, request_.size());
                                  },
                              .received = [this](absl::string_view bytes) { Received(bytes); },
                              .ended = [this](const absl::Status& why) { Ended(why); }});
  if (!opened.ok()) return Drop(absl::UnavailableError(Describe(opened.status().message())));
  connection_ = *std::move(opened);
  Send();
}

// Sends the request under way; on a new connection it goes once the connection is ready.
void HttpBackend::Send() {
  parser_ = HttpResponseParser();
  connection_->StartReading();
  if (absl::Status sent = connection_->Write(request_); !sent.ok()) Ended(sent);
}

void HttpBackend::Received(absl::string_view bytes) {
  if (!pending_) return Close();  // nothing asked: the server is closing an idle connection
  timer_.Received(bytes.size());
  if (absl::Status status = parser_.Feed(bytes); !status.ok()) {
    return Drop(absl::UnavailableError(Describe(status.message())));
  }
  if (!parser_.done()) return;
  HttpResponse response = std::move(parser_.response());
  // A server may answer before it has read the whole request (a refused PUT): the rest of it
  // would go before the next request on the connection.
  if (response.keep_alive && !connection_->writing()) {
    connection_->StopReading();
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

void HttpBackend::Close() { connection_.reset(); }

std::string HttpBackend::Describe(absl::string_view what) const {
  return absl::StrCat(RedactUrl(spec_.url), ": ", what);
}

}  // namespace ddcc
