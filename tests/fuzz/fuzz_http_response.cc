// Fuzzes the HTTP response parser (cache/remote/http_response.h) with what a remote may send. The
// first input byte says where the rest is cut in two: the parser must come to the same response, or
// the same refusal, whether the bytes arrive whole or in two pieces.
#include <stdlib.h>

#include <cstddef>
#include <cstdint>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "cache/remote/http_response.h"

namespace {

struct Outcome {
  bool ok;
  bool done;
  ddcc::HttpResponse response;
};

Outcome Parse(absl::string_view first, absl::string_view second) {
  ddcc::HttpResponseParser parser;
  absl::Status status = parser.Feed(first);
  if (status.ok()) status = parser.Feed(second);
  if (status.ok() && !parser.done()) {
    bool ended = parser.End().ok();
    if (ended != parser.done()) abort();
  }
  return {status.ok(), parser.done(), parser.response()};
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return -1;
  absl::string_view bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
  size_t cut = bytes.empty() ? 0 : data[0] % (bytes.size() + 1);
  Outcome whole = Parse(bytes, "");
  Outcome pieces = Parse(bytes.substr(0, cut), bytes.substr(cut));
  if (whole.ok != pieces.ok) abort();
  if (!whole.ok) return 0;
  if (whole.done != pieces.done || whole.response.status != pieces.response.status ||
      whole.response.body != pieces.response.body ||
      whole.response.keep_alive != pieces.response.keep_alive) {
    abort();
  }
  return 0;
}
