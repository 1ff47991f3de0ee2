#include "cache/helper/helper_protocol.h"

#include <gtest/gtest.h>

namespace ddcc {
namespace {

TEST(HelperProtocolTest, FramesArriveWholeHoweverTheBytesAreCut) {
  const std::string stream = EncodeFrame(HelperMessage::kHello, EncodeHello()) +
                             EncodeFrame(HelperMessage::kAnswer, std::string(100'000, 'x'));
  FrameReader reader;
  std::vector<HelperFrame> frames;
  for (char byte : stream) {
    reader.Add(std::string(1, byte));
    absl::StatusOr<std::optional<HelperFrame>> frame = reader.Next();
    ASSERT_TRUE(frame.ok()) << frame.status();
    if (*frame) frames.push_back(**frame);
  }
  ASSERT_EQ(frames.size(), 2u);
  EXPECT_EQ(frames[0].type, HelperMessage::kHello);
  EXPECT_TRUE(CheckHello(frames[0].body).ok());
  EXPECT_EQ(frames[1].type, HelperMessage::kAnswer);
  EXPECT_EQ(frames[1].body, std::string(100'000, 'x'));
}

TEST(HelperProtocolTest, ABrokenStreamIsAnError) {
  FrameReader unknown_type;
  std::string frame = EncodeFrame(HelperMessage::kGet, "body");
  frame[4] = 99;
  unknown_type.Add(frame);
  EXPECT_FALSE(unknown_type.Next().ok());

  FrameReader too_long;
  too_long.Add(std::string("\xff\xff\xff\xff\x01", 5));
  EXPECT_FALSE(too_long.Next().ok());

  FrameReader empty;
  empty.Add(std::string("\0\0\0\0\x01", 5));
  EXPECT_FALSE(empty.Next().ok());
}

TEST(HelperProtocolTest, AnotherVersionsHelloIsRefused) {
  std::string hello = EncodeHello();
  hello[0] ^= 1;
  EXPECT_FALSE(CheckHello(hello).ok());
  EXPECT_FALSE(CheckHello("").ok());
}

TEST(HelperProtocolTest, RequestsAndAnswersRoundTrip) {
  HelperRequest request{3, {}, "entry bytes"};
  request.key.bytes[0] = 7;
  request.key.bytes[15] = 9;
  absl::StatusOr<HelperRequest> decoded = DecodeRequest(EncodeRequest(request));
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(decoded->remote, 3);
  EXPECT_EQ(decoded->key, request.key);
  EXPECT_EQ(decoded->bytes, "entry bytes");
  EXPECT_FALSE(DecodeRequest("short").ok());

  EXPECT_EQ(*DecodeAnswer(EncodeAnswer(std::string("value"))), "value");
  EXPECT_EQ(*DecodeAnswer(EncodeAnswer(std::string())), "");
  absl::StatusOr<std::string> missing = DecodeAnswer(EncodeAnswer(absl::NotFoundError("gone")));
  EXPECT_TRUE(absl::IsNotFound(missing.status()));
  EXPECT_EQ(missing.status().message(), "gone");
  EXPECT_TRUE(absl::IsDeadlineExceeded(
      DecodeAnswer(EncodeAnswer(absl::DeadlineExceededError("late"))).status()));
  EXPECT_FALSE(DecodeAnswer("").ok());
}

}  // namespace
}  // namespace ddcc
