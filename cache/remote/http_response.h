// Reads an HTTP/1.1 response as it arrives from the socket, in pieces of any size: the status,
// whether the connection may carry the next request, and the body (by Content-Length, chunked,
// or up to the end of the connection).
#pragma once

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace ddcc {

struct HttpResponse {
  int status = 0;
  std::string body;
  bool keep_alive = true;  // the server will read another request on this connection
};

class HttpResponseParser {
 public:
  // Errors when the bytes are not a response ddcc can read; OK otherwise, whether or not the
  // response is complete (done()). Bytes after the response are an error: ddcc sends one
  // request at a time.
  absl::Status Feed(absl::string_view bytes);
  // The server closed the connection: completes a response whose body runs to the end, and
  // errors when the response is cut short.
  absl::Status End();

  bool done() const { return state_ == State::kDone; }
  bool started() const { return started_; }
  HttpResponse& response() { return response_; }

 private:
  enum class State { kHead, kBody, kChunkSize, kChunkData, kChunkEnd, kTrailers, kToEnd, kDone };

  absl::Status ParseHead(absl::string_view head);
  absl::Status Step(bool& more);
  absl::Status TakeBody(uint64_t size);

  State state_ = State::kHead;
  bool started_ = false;
  std::string buffer_;      // received, not yet consumed
  uint64_t remaining_ = 0;  // of the body or the chunk under way
  HttpResponse response_;
};

}  // namespace ddcc
