#include "cache/util/hash.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <random>

#include "cache/util/files.h"
#include "tests/unit/temp_dir_test.h"

namespace ddcc {
namespace {

Digest HashFields(std::initializer_list<absl::string_view> fields) {
  Hasher hasher;
  for (absl::string_view field : fields) hasher.Field(field);
  return hasher.Finish();
}

Digest HashUpdates(std::initializer_list<absl::string_view> pieces) {
  Hasher hasher;
  for (absl::string_view piece : pieces) hasher.Update(piece);
  return hasher.Finish();
}

TEST(HashTest, HexIsLowercaseAndInByteOrder) {
  Digest digest;
  for (int i = 0; i < 16; ++i) digest.bytes[i] = static_cast<uint8_t>(i * 17);
  EXPECT_EQ(digest.Hex(), "00112233445566778899aabbccddeeff");
}

TEST(HashTest, FinishMatchesOneShotXxh3) {
  std::string data = "some data to hash";
  XXH128_canonical_t expected;
  XXH128_canonicalFromHash(&expected, XXH3_128bits(data.data(), data.size()));
  Digest digest = HashUpdates({"some ", "data to", " hash"});
  EXPECT_EQ(0, memcmp(digest.bytes.data(), expected.digest, 16));
}

TEST(HashTest, FieldBoundariesMatter) {
  EXPECT_NE(HashFields({"ab", "c"}), HashFields({"a", "bc"}));
  EXPECT_NE(HashFields({"", "a"}), HashFields({"a", ""}));
  EXPECT_NE(HashFields({"abc"}), HashUpdates({"abc"}));
  EXPECT_EQ(HashUpdates({"ab", "c"}), HashUpdates({"a", "bc"}));
  EXPECT_EQ(HashFields({"ab", "c"}), HashFields({"ab", "c"}));
}

TEST(HashTest, FieldIsLittleEndianLengthThenBytes) {
  EXPECT_EQ(HashFields({"abc"}), HashUpdates({absl::string_view("\3\0\0\0\0\0\0\0", 8), "abc"}));
  Hasher number;
  number.Field(uint64_t{0x0102030405060708});
  EXPECT_EQ(number.Finish(), HashUpdates({"\x08\x07\x06\x05\x04\x03\x02\x01"}));
}

TEST(HashTest, Checksum64IsXxh3) {
  EXPECT_EQ(Checksum64("abc"), XXH3_64bits("abc", 3));
  EXPECT_NE(Checksum64("abc"), Checksum64("abd"));
}

using HashFileTest = TempDirTest;

TEST_F(HashFileTest, EqualsHashingTheContent) {
  // Larger than one read chunk, and not a multiple of it.
  std::string content(200 * 1024 + 7, '\0');
  std::mt19937 random(1);
  for (char& c : content) c = static_cast<char>(random());
  std::string path = dir_ + "/file";
  ASSERT_TRUE(WriteFileAtomic(path, content).ok());
  absl::StatusOr<Digest> digest = HashFile(path);
  ASSERT_TRUE(digest.ok()) << digest.status();
  EXPECT_EQ(*digest, HashUpdates({content}));

  ASSERT_TRUE(WriteFileAtomic(path, "").ok());
  digest = HashFile(path);
  ASSERT_TRUE(digest.ok()) << digest.status();
  EXPECT_EQ(*digest, HashUpdates({}));
}

TEST_F(HashFileTest, MissingFileIsNotFound) {
  absl::StatusOr<Digest> digest = HashFile(dir_ + "/missing");
  EXPECT_TRUE(absl::IsNotFound(digest.status())) << digest.status();
  EXPECT_NE(digest.status().message().find("missing"), absl::string_view::npos);
}

}  // namespace
}  // namespace ddcc
