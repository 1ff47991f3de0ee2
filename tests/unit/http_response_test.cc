#include "cache/remote/http_response.h"

#include <gtest/gtest.h>

#include <string>

namespace ddcc {
namespace {

// Feeds `bytes` in pieces of `step` bytes; returns the first error.
absl::Status FeedInPieces(HttpResponseParser& parser, const std::string& bytes, size_t step) {
  for (size_t at = 0; at < bytes.size(); at += step) {
    if (absl::Status status = parser.Feed(absl::string_view(bytes).substr(at, step));
        !status.ok()) {
      return status;
    }
  }
  return absl::OkStatus();
}

TEST(HttpResponseTest, ContentLengthInAnyPieces) {
  const std::string bytes =
      "HTTP/1.1 200 OK\r\nServer: nginx\r\ncontent-length: 12\r\n\r\nhello\r\nworld";
  for (size_t step : {1, 2, 7, 1000}) {
    HttpResponseParser parser;
    absl::Status fed = FeedInPieces(parser, bytes, step);
    ASSERT_TRUE(fed.ok()) << step << fed;
    ASSERT_TRUE(parser.done()) << step;
    EXPECT_EQ(parser.response().status, 200);
    EXPECT_EQ(parser.response().body, "hello\r\nworld");
    EXPECT_TRUE(parser.response().keep_alive);
  }
}

TEST(HttpResponseTest, NotDoneUntilTheWholeBody) {
  HttpResponseParser parser;
  EXPECT_FALSE(parser.started());
  ASSERT_TRUE(parser.Feed("HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nab").ok());
  EXPECT_TRUE(parser.started());
  EXPECT_FALSE(parser.done());
  EXPECT_FALSE(parser.End().ok());  // cut short
}

TEST(HttpResponseTest, Chunked) {
  const std::string bytes =
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
      "5;ext=1\r\nhello\r\nA\r\n 012345678\r\n0\r\nTrailer: x\r\n\r\n";
  for (size_t step : {1, 3, 1000}) {
    HttpResponseParser parser;
    absl::Status fed = FeedInPieces(parser, bytes, step);
    ASSERT_TRUE(fed.ok()) << step << fed;
    ASSERT_TRUE(parser.done());
    EXPECT_EQ(parser.response().body, "hello 012345678");
  }
}

TEST(HttpResponseTest, BodyToTheEndOfTheConnection) {
  HttpResponseParser parser;
  ASSERT_TRUE(parser.Feed("HTTP/1.1 200 OK\r\n\r\nsome").ok());
  ASSERT_TRUE(parser.Feed(" bytes").ok());
  EXPECT_FALSE(parser.done());
  ASSERT_TRUE(parser.End().ok());
  EXPECT_EQ(parser.response().body, "some bytes");
  EXPECT_FALSE(parser.response().keep_alive);
}

TEST(HttpResponseTest, NoBodyWithoutLengthFor204) {
  HttpResponseParser parser;
  ASSERT_TRUE(parser.Feed("HTTP/1.1 204 No Content\r\n\r\n").ok());
  EXPECT_TRUE(parser.done());
  EXPECT_EQ(parser.response().status, 204);
}

TEST(HttpResponseTest, InterimResponsesAreSkipped) {
  HttpResponseParser parser;
  ASSERT_TRUE(
      parser.Feed("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n")
          .ok());
  ASSERT_TRUE(parser.done());
  EXPECT_EQ(parser.response().status, 201);
}

TEST(HttpResponseTest, WhetherTheConnectionStaysOpen) {
  struct Case {
    const char* head;
    bool keep_alive;
  };
  for (const Case& c : {Case{"HTTP/1.1 404 Not Found\r\nConnection: close\r\n", false},
                        Case{"HTTP/1.1 404 Not Found\r\nConnection: Keep-Alive\r\n", true},
                        Case{"HTTP/1.0 404 Not Found\r\n", false},
                        Case{"HTTP/1.0 404 Not Found\r\nConnection: keep-alive\r\n", true}}) {
    HttpResponseParser parser;
    ASSERT_TRUE(parser.Feed(std::string(c.head) + "Content-Length: 0\r\n\r\n").ok()) << c.head;
    ASSERT_TRUE(parser.done());
    EXPECT_EQ(parser.response().keep_alive, c.keep_alive) << c.head;
  }
}

TEST(HttpResponseTest, RejectsWhatIsNoResponse) {
  for (const char* bytes : {
           "SSH-2.0-OpenSSH_9.2\r\n\r\n",
           "HTTP/2 200\r\n\r\n",
           "HTTP/1.1 2x0 OK\r\n\r\n",
           "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n",
           "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
           "HTTP/1.1 200 OK\r\nContent-Length: 99999999999999\r\n\r\n",
           "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n",
           "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
           "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n",
           "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nab",
       }) {
    HttpResponseParser parser;
    EXPECT_FALSE(parser.Feed(bytes).ok()) << bytes;
  }
  HttpResponseParser endless;
  EXPECT_FALSE(endless.Feed("HTTP/1.1 200 OK\r\nX: " + std::string(70'000, 'x')).ok());
}

TEST(HttpResponseTest, AConnectionClosedEarly) {
  HttpResponseParser nothing;
  EXPECT_FALSE(nothing.End().ok());
  HttpResponseParser headers;
  ASSERT_TRUE(headers.Feed("HTTP/1.1 200 OK\r\nContent-Len").ok());
  EXPECT_FALSE(headers.End().ok());
}

}  // namespace
}  // namespace ddcc
