#include "cache/store/entry.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <zstd.h>

#include <random>

#include "cache/util/hash.h"

namespace ddcc {
namespace {

using ::testing::HasSubstr;

constexpr Digest kKey{{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}};

std::string RandomBytes(size_t size, uint32_t seed) {
  std::mt19937 random(seed);
  std::string bytes(size, '\0');
  for (char& c : bytes) c = static_cast<char>(random());
  return bytes;
}

void AppendLittleEndian(std::string& out, uint64_t value, int size) {
  for (int i = 0; i < size; ++i) out.push_back(static_cast<char>(value >> (8 * i)));
}

// An entry around an arbitrary body, with a valid header and checksum, to reach the body parser.
std::string EntryWithBody(absl::string_view body, uint64_t claimed_body_size) {
  std::string compressed(ZSTD_compressBound(body.size()), '\0');
  compressed.resize(
      ZSTD_compress(compressed.data(), compressed.size(), body.data(), body.size(), 1));
  std::string out = "DDCE";
  AppendLittleEndian(out, kFormatVersion, 2);
  AppendLittleEndian(out, 0, 2);
  AppendLittleEndian(out, claimed_body_size, 8);
  AppendLittleEndian(out, compressed.size(), 8);
  out += compressed;
  AppendLittleEndian(out, KeyedChecksum64(out, kKey), 8);
  return out;
}

std::string EntryWithBody(absl::string_view body) { return EntryWithBody(body, body.size()); }

Entry SmallEntry() { return Entry{{{16, "o", "obj"}, {17, "", std::string("\0x", 2)}}}; }

void ExpectRoundTrip(const Entry& entry, int level = 1) {
  absl::StatusOr<Entry> decoded = DecodeEntry(EncodeEntry(entry, level, kKey), kKey);
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(decoded->blobs, entry.blobs);
}

TEST(EntryTest, RoundTrip) {
  ExpectRoundTrip(Entry{});
  ExpectRoundTrip(SmallEntry());
  ExpectRoundTrip(Entry{{{0, "", ""}, {1, "empty", ""}, {65535, "", "nameless"}}});
  ExpectRoundTrip(Entry{{{2, std::string("a\0b", 3), std::string(1000, '\0') + "end"}}});
  ExpectRoundTrip(Entry{{{3, "random", RandomBytes(300000, 1)}}});
  ExpectRoundTrip(Entry{{{4, "zeros", std::string(3 << 20, '\0')}}});  // compresses very well
  Entry many;
  for (int i = 0; i < 1000; ++i)
    many.Add(static_cast<BlobKind>(i), "blob" + std::to_string(i), RandomBytes(i, i));
  ExpectRoundTrip(many);
}

TEST(EntryTest, RoundTripAtEveryCompressionLevelWeAllow) {
  Entry entry{{{5, "text", std::string(10000, 'x') + RandomBytes(100, 2)}}};
  for (int level = -5; level <= 19; ++level) ExpectRoundTrip(entry, level);
}

TEST(EntryTest, FindsBlobsByKindAndName) {
  Entry entry = SmallEntry();
  ASSERT_NE(entry.Find(16, "o"), nullptr);
  EXPECT_EQ(*entry.Find(16, "o"), "obj");
  EXPECT_EQ(*entry.Find(17), std::string("\0x", 2));
  EXPECT_EQ(entry.Find(16), nullptr);
  EXPECT_EQ(entry.Find(17, "o"), nullptr);
  EXPECT_EQ(entry.Find(18), nullptr);
}

TEST(EntryTest, HeaderLayout) {
  std::string encoded = EncodeEntry(SmallEntry(), 1, kKey);
  ASSERT_GE(encoded.size(), 32u);
  EXPECT_EQ(encoded.substr(0, 4), "DDCE");
  EXPECT_EQ(static_cast<uint8_t>(encoded[4]), kFormatVersion & 0xff);
  EXPECT_EQ(static_cast<uint8_t>(encoded[5]), kFormatVersion >> 8);
  EXPECT_EQ(encoded.substr(6, 2), std::string(2, '\0'));
  // Body: count 4 + (kind 2 + "o": 4 + 1 + 8 + 3) + (kind 2 + "": 4 + 8 + 2).
  EXPECT_EQ(static_cast<uint8_t>(encoded[8]), 38);
  EXPECT_EQ(encoded.substr(9, 7), std::string(7, '\0'));
  EXPECT_EQ(static_cast<uint8_t>(encoded[16]), encoded.size() - 32);
  uint64_t checksum = 0;
  for (int i = 0; i < 8; ++i) {
    checksum |= uint64_t{static_cast<uint8_t>(encoded[encoded.size() - 8 + i])} << (8 * i);
  }
  EXPECT_EQ(checksum,
            KeyedChecksum64(absl::string_view(encoded).substr(0, encoded.size() - 8), kKey));
}

TEST(EntryTest, EveryBitFlipIsDataLoss) {
  const std::string encoded = EncodeEntry(SmallEntry(), 1, kKey);
  for (size_t i = 0; i < encoded.size(); ++i) {
    for (int bit = 0; bit < 8; ++bit) {
      std::string damaged = encoded;
      damaged[i] ^= static_cast<char>(1 << bit);
      absl::StatusOr<Entry> decoded = DecodeEntry(damaged, kKey);
      EXPECT_TRUE(absl::IsDataLoss(decoded.status())) << "byte " << i << " bit " << bit;
    }
  }
}

// An entry put under another key's name (a copy by hand, a sync, a remote's mix-up) is
// damage to that key: the checksum is seeded by the key it was made for.
TEST(EntryTest, AnEntryMadeForAnotherKeyIsDataLoss) {
  const std::string encoded = EncodeEntry(SmallEntry(), 1, kKey);
  for (size_t i = 0; i < kKey.bytes.size(); ++i) {
    Digest other = kKey;
    other.bytes[i] ^= 0x40;
    EXPECT_TRUE(absl::IsDataLoss(DecodeEntry(encoded, other).status())) << i;
  }
  EXPECT_TRUE(DecodeEntry(encoded, kKey).ok());
}

TEST(EntryTest, EveryTruncationAndExtensionIsDataLoss) {
  const std::string encoded = EncodeEntry(SmallEntry(), 1, kKey);
  for (size_t size = 0; size < encoded.size(); ++size) {
    EXPECT_TRUE(absl::IsDataLoss(DecodeEntry(encoded.substr(0, size), kKey).status())) << size;
  }
  EXPECT_TRUE(absl::IsDataLoss(DecodeEntry(encoded + '\0', kKey).status()));
}

TEST(EntryTest, GarbageIsDataLoss) {
  std::mt19937 random(3);
  for (int i = 0; i < 2000; ++i) {
    std::string garbage = RandomBytes(random() % 200, i);
    // Half of them get past the magic and version checks.
    if (i % 2 == 0 && garbage.size() >= 8)
      garbage.replace(0, 8, EncodeEntry(Entry{}, 1, kKey), 0, 8);
    EXPECT_TRUE(absl::IsDataLoss(DecodeEntry(garbage, kKey).status())) << i;
  }
}

TEST(EntryTest, OtherFormatVersionIsDataLoss) {
  std::string encoded = EntryWithBody(std::string(4, '\0'));
  encoded[4] = static_cast<char>(kFormatVersion + 1);
  absl::StatusOr<Entry> decoded = DecodeEntry(encoded, kKey);
  EXPECT_TRUE(absl::IsDataLoss(decoded.status()));
  EXPECT_THAT(decoded.status().message(), HasSubstr("version"));
}

TEST(EntryTest, MalformedBodyWithValidChecksumIsDataLoss) {
  ASSERT_TRUE(DecodeEntry(EntryWithBody(std::string(4, '\0')), kKey).ok());

  auto expect_data_loss = [](const std::string& encoded, absl::string_view message) {
    absl::StatusOr<Entry> decoded = DecodeEntry(encoded, kKey);
    EXPECT_TRUE(absl::IsDataLoss(decoded.status())) << decoded.status();
    EXPECT_THAT(decoded.status().message(), HasSubstr(message));
  };
  expect_data_loss(EntryWithBody(""), "blob count");
  expect_data_loss(EntryWithBody(std::string(5, '\0')), "after its last blob");
  // One blob announced, none present.
  expect_data_loss(EntryWithBody(std::string("\1\0\0\0", 4)), "ends inside blob 0");
  // A name length running past the end.
  expect_data_loss(EntryWithBody(std::string("\1\0\0\0\0\0\xff\xff\xff\xff", 10)),
                   "ends inside blob");
  // A kind and nothing after it.
  expect_data_loss(EntryWithBody(std::string("\1\0\0\0\x10\0", 6)), "ends inside blob 0");
  // A content length running past the end, even with wrap-around in mind.
  std::string huge_content("\1\0\0\0\0\0\0\0\0\0", 10);
  huge_content += std::string(8, '\xff');
  expect_data_loss(EntryWithBody(huge_content), "ends inside blob");
  // A count far beyond what the body holds.
  expect_data_loss(EntryWithBody(std::string("\xff\xff\xff\xff", 4)), "ends inside blob 0");
  // Header and compressed data disagree on the body's size.
  expect_data_loss(EntryWithBody(std::string(4, '\0'), 5), "");
  expect_data_loss(EntryWithBody(std::string(8, '\0'), 4), "");
  // A claim no zstd frame of this size can meet must not be allocated.
  expect_data_loss(EntryWithBody(std::string(4, '\0'), uint64_t{1} << 60), "implausible");
}

}  // namespace
}  // namespace ddcc
