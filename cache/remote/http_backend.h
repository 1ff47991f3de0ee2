// A remote store on an HTTP server that serves GET and takes PUT (nginx with WebDAV, bazel-remote,
// an S3-compatible gateway): each entry is one file below the URL's path (HttpLayout). Plain
// HTTP/1.1 on a StreamConnection (TCP, and TLS for https://), kept open from one request of a
// compile to the next.
//
// Written here rather than on libcurl: Debian's libcurl cannot be linked statically (its
// dependencies ship no static libraries), and linked dynamically it loads some thirty shared
// libraries at every start of ddcc, about 3 ms, more than a whole cache hit costs.
#pragma once

#include <uv.h>

#include <functional>
#include <memory>
#include <string>

#include "cache/remote/http_response.h"
#include "cache/remote/remote.h"
#include "cache/remote/remote_spec.h"
#include "cache/remote/request_timer.h"
#include "cache/remote/stream_connection.h"

namespace ddcc {

// What a request is, for the headers that authenticate it.
struct HttpRequestLine {
  absl::string_view method;
  absl::string_view path;
  absl::string_view host;  // the Host header's value
  absl::string_view body;
};

// What one HTTP remote's requests look like: where they go, each entry's path, and the headers
// that authenticate them (lines ending in "\r\n"), if any.
struct HttpService {
  HttpAddress address;
  std::function<std::string(const Digest&)> path_of;
  std::function<std::string(const HttpRequestLine&)> headers;
};

// An http:// or https:// URL's service: its layout, and Basic authentication with credentials.
HttpService PlainHttpService(const RemoteSpec& spec);

class HttpBackend : public RemoteBackend {
 public:
  // Connects on first use. `spec.url` must have passed ParseRemoteStorage. The loop must be run
  // after the backend is destroyed, to close its handles.
  HttpBackend(const RemoteSpec& spec, HttpService service, uv_loop_t* loop);
  ~HttpBackend() override;
  HttpBackend(const HttpBackend&) = delete;
  HttpBackend& operator=(const HttpBackend&) = delete;

  void StartGet(const Digest& key, GetDone done) override;
  void StartPut(const Digest& key, absl::string_view bytes, PutDone done) override;

  // The request's path for `key`, below the URL's path.
  static std::string KeyPath(const HttpAddress& address, HttpLayout layout, const Digest& key);

 private:
  using ResponseDone = std::function<void(absl::StatusOr<HttpResponse>)>;

  void Start(absl::string_view method, const Digest& key, absl::string_view body,
             ResponseDone done);
  void Connect();
  void Send();
  void Received(absl::string_view bytes);
  void Ended(const absl::Status& why);
  void Finish(absl::StatusOr<HttpResponse> response);
  void Drop(const absl::Status& why);
  void Close();
  std::string Describe(absl::string_view what) const;

  RemoteSpec spec_;
  HttpService service_;
  const HttpAddress& address_;  // service_'s
  uv_loop_t* loop_;
  RequestTimer timer_;  // of the request under way
  std::unique_ptr<StreamConnection> connection_;
  std::string request_;  // the request under way, as sent
  HttpResponseParser parser_;
  bool reused_ = false;  // the request went on a connection that carried one before
  bool resent_ = false;  // and was sent again on a new one, after the old one closed
  ResponseDone pending_;
};

}  // namespace ddcc
