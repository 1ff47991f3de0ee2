#include "cache/remote/remote_spec.h"

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
  for (const char* text : {"ftp://host/",
                           "host:6379",
                           "redis://",
                           "redis://h:0",
                           "redis://h:x",
                           "redis://h:70000",
                           "redis://h:",
                           "redis://h/x",
                           "redis://[::1",
                           "redis://h|readonly",
                           "redis://h|timeout=0",
                           "redis://h|timeout=",
                           "redis://h|connect-timeout=100000",
                           "redis://h|timeout=5ms",
                           "redis://h|layout=flat",
                           "http://",
                           "http://:80/",
                           "http://h:x/",
                           "http://h/a b",
                           "http://h/a?b",
                           "http://h|layout=cas",
                           "http://h|insecure",
                           "http://h|ca-file=/ca.pem",
                           "redis://h|insecure",
                           "https://h|ca-file",
                           "https://h|ca-file=",
                           "https://h|insecure=1",
                           "https://h|read-only=yes",
                           "https://h|cert-file=/c.pem",
                           "rediss://h|key-file=/k.pem",
                           "redis://h|cert-file=/c.pem|key-file=/k.pem",
                           "rediss://"}) {
    EXPECT_FALSE(ParseRemoteStorage(text).ok()) << text;
  }
}

TEST(RemoteSpecTest, ErrorsHidePasswords) {
  absl::StatusOr<std::vector<RemoteSpec>> specs = ParseRemoteStorage("redis://u:hunter2@h:x");
  ASSERT_FALSE(specs.ok());
  EXPECT_THAT(specs.status().message(), HasSubstr("redis://u:***@h:x"));
  EXPECT_THAT(specs.status().message(), ::testing::Not(HasSubstr("hunter2")));
}

// A password holding a character that splits the setting (' ', '|') or ends an HTTP URL's host
// ('/') is cut in pieces, which the messages must not quote either.
TEST(RemoteSpecTest, ErrorsHidePasswordsHoldingSeparators) {
  for (const char* text : {"redis://u:hun ter2@h", "redis://u:hun|ter2@h", "http://u:hun/ter2@h/x",
                           "http://u:hun ter2@h/x", "http://u:hun|ter2@h", "redis://u:hun/ter2@h:x",
                           "http://u:hunter2@h:x/p", "redis://:hun ter2@h redis://other",
                           "u:hun ter2@h", "redis:/u:hun|ter2@h", "redis://hun ter2@h"}) {
    absl::StatusOr<std::vector<RemoteSpec>> specs = ParseRemoteStorage(text);
    ASSERT_FALSE(specs.ok()) << text;
    for (const char* piece : {"hun", "ter2"}) {
      EXPECT_THAT(specs.status().message(), ::testing::Not(HasSubstr(piece)))
          << text << ": " << specs.status().message();
    }
  }
  absl::StatusOr<std::vector<RemoteSpec>> specs = ParseRemoteStorage("http://ci:a/b@h/x");
  ASSERT_FALSE(specs.ok());
  EXPECT_THAT(specs.status().message(), HasSubstr("http://ci:***@h/x"));
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

TEST(RemoteSpecTest, HttpUrlParts) {
  absl::StatusOr<HttpAddress> full = ParseHttpUrl("http://ci:p@ss@cache.lan:8080/team/ddcc/");
  ASSERT_TRUE(full.ok()) << full.status();
  EXPECT_EQ(full->user, "ci");
  EXPECT_EQ(full->password, "p@ss");
  EXPECT_EQ(full->host, "cache.lan");
  EXPECT_EQ(full->port, 8080);
  EXPECT_EQ(full->path, "/team/ddcc");

  absl::StatusOr<HttpAddress> bare = ParseHttpUrl("http://cache");
  ASSERT_TRUE(bare.ok()) << bare.status();
  EXPECT_EQ(bare->port, 80);
  EXPECT_EQ(bare->path, "");
  EXPECT_EQ(bare->user, "");

  absl::StatusOr<HttpAddress> ipv6 = ParseHttpUrl("http://[::1]:9090/");
  ASSERT_TRUE(ipv6.ok()) << ipv6.status();
  EXPECT_EQ(ipv6->host, "::1");
  EXPECT_EQ(ipv6->port, 9090);
  EXPECT_EQ(ipv6->path, "");

  // An '@' in the path is not the end of credentials.
  absl::StatusOr<HttpAddress> at = ParseHttpUrl("http://h/a@b");
  ASSERT_TRUE(at.ok()) << at.status();
  EXPECT_EQ(at->host, "h");
  EXPECT_EQ(at->path, "/a@b");
}

TEST(RemoteSpecTest, Https) {
  absl::StatusOr<HttpAddress> address = ParseHttpUrl("https://ci:pw@cache.example.com/ddcc");
  ASSERT_TRUE(address.ok()) << address.status();
  EXPECT_TRUE(address->tls);
  EXPECT_EQ(address->port, 443);
  EXPECT_EQ(address->path, "/ddcc");
  EXPECT_FALSE(ParseHttpUrl("http://h")->tls);

  absl::StatusOr<std::vector<RemoteSpec>> specs = ParseRemoteStorage(
      "https://ci:pw@h:8443/c|ca_file=/etc/ca.pem|connect_timeout=300 "
      "https://h|insecure|layout=bazel https://h");
  ASSERT_TRUE(specs.ok()) << specs.status();
  EXPECT_EQ((*specs)[0].ca_file, "/etc/ca.pem");
  EXPECT_EQ((*specs)[0].connect_timeout_ms, 300);
  EXPECT_FALSE((*specs)[0].insecure);
  EXPECT_TRUE((*specs)[1].insecure);
  EXPECT_EQ((*specs)[1].layout, HttpLayout::kBazel);
  EXPECT_EQ((*specs)[2].ca_file, "");
  EXPECT_FALSE((*specs)[2].insecure);
  EXPECT_EQ(
      ShowRemoteStorage(*specs),
      "https://ci:***@h:8443/c|connect-timeout=300|timeout=500|layout=flat|ca-file=/etc/ca.pem "
      "https://h|connect-timeout=100|timeout=500|layout=bazel|insecure "
      "https://h|connect-timeout=100|timeout=500|layout=flat");
  EXPECT_EQ(RedactUrl("https://ci:pw@h/x@y"), "https://ci:***@h/x@y");
}

TEST(RemoteSpecTest, Rediss) {
  absl::StatusOr<RedisAddress> address = ParseRedisUrl("rediss://ci:pw@cache:6380/2");
  ASSERT_TRUE(address.ok()) << address.status();
  EXPECT_TRUE(address->tls);
  EXPECT_EQ(address->port, 6380);
  EXPECT_EQ(address->db, 2);
  EXPECT_FALSE(ParseRedisUrl("redis://h")->tls);
  EXPECT_EQ(ParseRedisUrl("rediss://h")->port, 6379);

  absl::StatusOr<std::vector<RemoteSpec>> specs = ParseRemoteStorage(
      "rediss://:pw@h|ca-file=/ca.pem|cert-file=/c.pem|key-file=/k.pem rediss://h|insecure");
  ASSERT_TRUE(specs.ok()) << specs.status();
  TlsSettings tls = TlsSettingsOf((*specs)[0], "h");
  EXPECT_EQ(tls.host, "h");
  EXPECT_EQ(tls.ca_file, "/ca.pem");
  EXPECT_EQ(tls.cert_file, "/c.pem");
  EXPECT_EQ(tls.key_file, "/k.pem");
  EXPECT_FALSE(tls.insecure);
  EXPECT_TRUE(TlsSettingsOf((*specs)[1], "h").insecure);
  EXPECT_EQ(ShowRemoteStorage(*specs),
            "rediss://:***@h|connect-timeout=100|timeout=500|ca-file=/ca.pem|cert-file=/c.pem|"
            "key-file=/k.pem rediss://h|connect-timeout=100|timeout=500|insecure");
}

TEST(RemoteSpecTest, HttpLayout) {
  absl::StatusOr<std::vector<RemoteSpec>> specs =
      ParseRemoteStorage("http://h/c|layout=bazel http://h/d|layout=flat http://h/e");
  ASSERT_TRUE(specs.ok()) << specs.status();
  EXPECT_EQ((*specs)[0].layout, HttpLayout::kBazel);
  EXPECT_EQ((*specs)[1].layout, HttpLayout::kFlat);
  EXPECT_EQ((*specs)[2].layout, HttpLayout::kFlat);
  EXPECT_EQ(ShowRemoteStorage(*specs),
            "http://h/c|connect-timeout=100|timeout=500|layout=bazel "
            "http://h/d|connect-timeout=100|timeout=500|layout=flat "
            "http://h/e|connect-timeout=100|timeout=500|layout=flat");
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
  EXPECT_EQ(RedactUrl("redis://alice:p@ss:w@h"), "redis://alice:***@h");
  EXPECT_EQ(RedactUrl("http://ci:pw@h/x"), "http://ci:***@h/x");
  EXPECT_EQ(RedactUrl("http://h/a@b"), "http://h/a@b");
}

}  // namespace
}  // namespace ddcc
