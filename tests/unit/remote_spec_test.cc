#include "cache/remote_spec.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace ddcc {
namespace {

using ::testing::HasSubstr;

TEST(RemoteSpecTest, SeveralUrlsWithAttributes) {
  absl::StatusOr<std::vector<RemoteSpec>> specs = ParseRemoteStorage(
      "  redis://10.0.0.5:6379/2|read-only|connect-timeout=20\tredis://cache|timeout=1500 ");
  ASSERT_TRUE(specs.ok()) << specs.status();
  ASSERT_EQ(specs->size(), 2u);
  EXPECT_EQ((*specs)[0].url, "redis://10.0.0.5:6379/2");
  EXPECT_TRUE((*specs)[0].read_only);
  EXPECT_EQ((*specs)[0].connect_timeout_ms, 20);
  EXPECT_EQ((*specs)[0].timeout_ms, 500);
  EXPECT_EQ((*specs)[1].url, "redis://cache");
  EXPECT_FALSE((*specs)[1].read_only);
  EXPECT_EQ((*specs)[1].connect_timeout_ms, 100);
  EXPECT_EQ((*specs)[1].timeout_ms, 1500);
}

TEST(RemoteSpecTest, EmptyMeansNone) {
  absl::StatusOr<std::vector<RemoteSpec>> specs = ParseRemoteStorage(" ");
  ASSERT_TRUE(specs.ok());
  EXPECT_TRUE(specs->empty());
}

TEST(RemoteSpecTest, RejectsWhatItCannotUse) {
  for (const char* text :
       {"http://host/", "host:6379", "redis://", "redis://h:0", "redis://h:x", "redis://h:70000",
        "redis://h:", "redis://h/x", "redis://[::1", "redis://h|readonly", "redis://h|timeout=0",
        "redis://h|timeout=", "redis://h|connect-timeout=100000", "redis://h|timeout=5ms"}) {
    EXPECT_FALSE(ParseRemoteStorage(text).ok()) << text;
  }
}

TEST(RemoteSpecTest, ErrorsHidePasswords) {
  absl::StatusOr<std::vector<RemoteSpec>> specs = ParseRemoteStorage("redis://u:hunter2@h:x");
  ASSERT_FALSE(specs.ok());
  EXPECT_THAT(specs.status().message(), HasSubstr("redis://u:***@h:x"));
  EXPECT_THAT(specs.status().message(), ::testing::Not(HasSubstr("hunter2")));
}

TEST(RemoteSpecTest, RedisUrlParts) {
  absl::StatusOr<RedisAddress> full = ParseRedisUrl("redis://alice:p@ss:w@cache.lan:7000/3");
  ASSERT_TRUE(full.ok()) << full.status();
  EXPECT_EQ(full->user, "alice");
  EXPECT_EQ(full->password, "p@ss:w");
  EXPECT_EQ(full->host, "cache.lan");
  EXPECT_EQ(full->port, 7000);
  EXPECT_EQ(full->db, 3);

  absl::StatusOr<RedisAddress> bare = ParseRedisUrl("redis://cache");
  ASSERT_TRUE(bare.ok());
  EXPECT_EQ(bare->user, "");
  EXPECT_EQ(bare->password, "");
  EXPECT_EQ(bare->port, 6379);
  EXPECT_EQ(bare->db, 0);

  absl::StatusOr<RedisAddress> password_only = ParseRedisUrl("redis://:secret@h");
  ASSERT_TRUE(password_only.ok());
  EXPECT_EQ(password_only->user, "");
  EXPECT_EQ(password_only->password, "secret");

  absl::StatusOr<RedisAddress> ipv6 = ParseRedisUrl("redis://[::1]:6380");
  ASSERT_TRUE(ipv6.ok()) << ipv6.status();
  EXPECT_EQ(ipv6->host, "::1");
  EXPECT_EQ(ipv6->port, 6380);
}

TEST(RemoteSpecTest, ShownWithAttributesAndWithoutPasswords) {
  absl::StatusOr<std::vector<RemoteSpec>> specs =
      ParseRemoteStorage("redis://:pw@h:1|read-only redis://u:pw@h:2");
  ASSERT_TRUE(specs.ok());
  EXPECT_EQ(ShowRemoteStorage(*specs),
            "redis://:***@h:1|read-only|connect-timeout=100|timeout=500 "
            "redis://u:***@h:2|connect-timeout=100|timeout=500");
  EXPECT_EQ(RedactUrl("redis://pw@h"), "redis://***@h");
  EXPECT_EQ(RedactUrl("redis://h:1"), "redis://h:1");
}

}  // namespace
}  // namespace ddcc
