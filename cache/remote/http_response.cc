#include "cache/remote/http_response.h"

#include <algorithm>
#include <charconv>
#include <optional>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace ddcc {
namespace {

// A status line and headers longer than this are not from a storage server.
constexpr size_t kMaxHead = 64 * 1024;
// Far above any entry; a larger length is an error, not an allocation.
constexpr uint64_t kMaxBody = uint64_t{1} << 32;

absl::Status Bad(absl::string_view why) {
  return absl::DataLossError(absl::StrCat("bad HTTP response: ", why));
}

}  // namespace

absl::Status HttpResponseParser::Feed(absl::string_view bytes) {
  if (!bytes.empty()) started_ = true;
  if (state_ == State::kDone) return bytes.empty() ? absl::OkStatus() : Bad("bytes after it");
  buffer_.append(bytes.data(), bytes.size());
  for (bool more = true; more;) {
    if (absl::Status status = Step(more); !status.ok()) return status;
  }
  return absl::OkStatus();
}

absl::Status HttpResponseParser::End() {
  if (state_ == State::kToEnd) {
    state_ = State::kDone;
    response_.keep_alive = false;
  }
  if (state_ != State::kDone) {
    return absl::UnavailableError(started_ ? "the connection closed in the middle of a response"
                                           : "the connection closed without a response");
  }
  return absl::OkStatus();
}

// Consumes what it can of buffer_ in the current state; `more` says whether to go on.
absl::Status HttpResponseParser::Step(bool& more) {
  more = false;
  switch (state_) {
    case State::kHead: {
      size_t end = buffer_.find("\r\n\r\n");
      if (end == std::string::npos) {
        return buffer_.size() > kMaxHead ? Bad("headers too long") : absl::OkStatus();
      }
      std::string head = buffer_.substr(0, end);
      buffer_.erase(0, end + 4);
      more = true;
      return ParseHead(head);
    }
    case State::kBody:
    case State::kChunkData: {
      size_t take = static_cast<size_t>(std::min<uint64_t>(remaining_, buffer_.size()));
      response_.body.append(buffer_, 0, take);
      buffer_.erase(0, take);
      remaining_ -= take;
      if (remaining_ == 0) {
        state_ = state_ == State::kBody ? State::kDone : State::kChunkEnd;
        more = true;
      }
      return absl::OkStatus();
    }
    case State::kChunkSize:
    case State::kChunkEnd:
    case State::kTrailers: {
      size_t end = buffer_.find("\r\n");
      if (end == std::string::npos) {
        return buffer_.size() > kMaxHead ? Bad("chunk line too long") : absl::OkStatus();
      }
      std::string line = buffer_.substr(0, end);
      buffer_.erase(0, end + 2);
      more = true;
      if (state_ == State::kChunkEnd) {
        if (!line.empty()) return Bad("no CRLF after a chunk");
        state_ = State::kChunkSize;
      } else if (state_ == State::kTrailers) {
        if (line.empty()) state_ = State::kDone;
      } else {
        absl::string_view digits =
            absl::StripAsciiWhitespace(absl::string_view(line).substr(0, line.find(';')));
        uint64_t size = 0;
        auto [at, error] = std::from_chars(digits.data(), digits.data() + digits.size(), size, 16);
        if (digits.empty() || error != std::errc() || at != digits.data() + digits.size()) {
          return Bad("bad chunk size");
        }
        if (size == 0) {
          state_ = State::kTrailers;
          return absl::OkStatus();
        }
        state_ = State::kChunkData;
        return TakeBody(size);
      }
      return absl::OkStatus();
    }
    case State::kToEnd:
      response_.body.append(buffer_);
      buffer_.clear();
      return response_.body.size() > kMaxBody ? Bad("body too long") : absl::OkStatus();
    case State::kDone:
      return buffer_.empty() ? absl::OkStatus() : Bad("bytes after it");
  }
  return absl::OkStatus();
}

absl::Status HttpResponseParser::TakeBody(uint64_t size) {
  if (size > kMaxBody || response_.body.size() + size > kMaxBody) return Bad("body too long");
  remaining_ = size;
  return absl::OkStatus();
}

absl::Status HttpResponseParser::ParseHead(absl::string_view head) {
  std::vector<absl::string_view> lines = absl::StrSplit(head, "\r\n");
  absl::string_view status_line = lines[0];
  bool http10 = absl::StartsWith(status_line, "HTTP/1.0 ");
  if (!http10 && !absl::StartsWith(status_line, "HTTP/1.1 ")) return Bad("not HTTP/1.x");
  absl::string_view code = status_line.substr(9, 3);
  int status = 0;
  if (code.size() != 3 || !absl::SimpleAtoi(code, &status) || status < 100) {
    return Bad("bad status code");
  }
  // An interim response (100 Continue) comes before the real one.
  if (status < 200) return absl::OkStatus();
  response_.status = status;
  response_.keep_alive = !http10;
  std::optional<uint64_t> length;
  bool chunked = false;
  for (size_t i = 1; i < lines.size(); ++i) {
    std::pair<absl::string_view, absl::string_view> field =
        absl::StrSplit(lines[i], absl::MaxSplits(':', 1));
    absl::string_view name = field.first;
    absl::string_view value = absl::StripAsciiWhitespace(field.second);
    if (absl::EqualsIgnoreCase(name, "Content-Length")) {
      uint64_t parsed = 0;
      if (!absl::SimpleAtoi(value, &parsed) || (length && *length != parsed)) {
        return Bad("bad Content-Length");
      }
      length = parsed;
    } else if (absl::EqualsIgnoreCase(name, "Transfer-Encoding")) {
      if (!absl::EqualsIgnoreCase(value, "chunked")) return Bad("a transfer coding not chunked");
      chunked = true;
    } else if (absl::EqualsIgnoreCase(name, "Connection")) {
      std::string options = absl::AsciiStrToLower(value);
      if (absl::StrContains(options, "close")) response_.keep_alive = false;
      if (absl::StrContains(options, "keep-alive")) response_.keep_alive = true;
    }
  }
  if (status == 204 || status == 304) {
    state_ = State::kDone;
  } else if (chunked) {
    state_ = State::kChunkSize;
  } else if (length) {
    state_ = *length == 0 ? State::kDone : State::kBody;
    return TakeBody(*length);
  } else {
    state_ = State::kToEnd;
    response_.keep_alive = false;
  }
  return absl::OkStatus();
}

}  // namespace ddcc
