#include "launcher/aws_settings.h"

#include <gtest/gtest.h>

#include <map>
#include <string>

#include "cache/remote/s3_service.h"

namespace ddcc {
namespace {

EnvLookup Env(const std::map<std::string, std::string>& variables) {
  return [variables](const char* name) -> const char* {
    auto found = variables.find(name);
    return found == variables.end() ? nullptr : found->second.c_str();
  };
}

TEST(AwsSettingsTest, ProfileCredentials) {
  const char* text = R"(# comment
[default]
aws_access_key_id = AKID1
aws_secret_access_key=secret1

[ci]
aws_access_key_id = AKID2
aws_secret_access_key = secret2
aws_session_token = token2
)";
  std::optional<AwsCredentials> ci = ProfileCredentials(text, "ci");
  ASSERT_TRUE(ci.has_value());
  EXPECT_EQ(ci->access_key_id, "AKID2");
  EXPECT_EQ(ci->secret_access_key, "secret2");
  EXPECT_EQ(ci->session_token, "token2");
  EXPECT_EQ(ProfileCredentials(text, "default")->secret_access_key, "secret1");
  EXPECT_FALSE(ProfileCredentials(text, "other").has_value());
}

TEST(AwsSettingsTest, CredentialsFromTheEnvironmentGoToS3RemotesOnly) {
  std::vector<RemoteSpec> remotes = *ParseRemoteStorage("s3://bucket redis://h");
  ASSERT_TRUE(AddAwsCredentials(remotes, Env({{"AWS_ACCESS_KEY_ID", "AKID"},
                                              {"AWS_SECRET_ACCESS_KEY", "secret"},
                                              {"AWS_SESSION_TOKEN", "token"}}))
                  .ok());
  EXPECT_EQ(remotes[0].aws.access_key_id, "AKID");
  EXPECT_EQ(remotes[0].aws.session_token, "token");
  EXPECT_EQ(remotes[1].aws.access_key_id, "");
  EXPECT_EQ(ShowRemoteStorage(remotes).find("secret"), std::string::npos);

  EXPECT_FALSE(AddAwsCredentials(remotes, Env({{"AWS_ACCESS_KEY_ID", "AKID"}})).ok());
}

TEST(AwsSettingsTest, SccacheVariables) {
  EXPECT_FALSE(SccacheS3Storage(Env({})).has_value());
  EXPECT_EQ(SccacheS3Storage(Env({{"SCCACHE_BUCKET", "b"}})), "s3://b");
  EXPECT_EQ(SccacheS3Storage(Env({{"SCCACHE_BUCKET", "b"},
                                  {"SCCACHE_S3_KEY_PREFIX", "/ci/"},
                                  {"SCCACHE_REGION", "eu-west-1"},
                                  {"SCCACHE_ENDPOINT", "minio:9000"}})),
            "s3://b/ci/?region=eu-west-1&endpoint=http://minio:9000");
  EXPECT_EQ(SccacheS3Storage(Env({{"SCCACHE_BUCKET", "b"},
                                  {"SCCACHE_ENDPOINT", "minio:9000"},
                                  {"SCCACHE_S3_USE_SSL", "true"}})),
            "s3://b?endpoint=https://minio:9000");
}

TEST(AwsSettingsTest, S3Addresses) {
  absl::StatusOr<S3Address> aws = ParseS3Url("s3://my-bucket/ci/cache/?region=eu-west-1");
  ASSERT_TRUE(aws.ok()) << aws.status();
  EXPECT_EQ(aws->prefix, "ci/cache");
  EXPECT_TRUE(aws->virtual_hosted);
  EXPECT_TRUE(aws->endpoint.tls);
  EXPECT_EQ(aws->endpoint.host, "my-bucket.s3.eu-west-1.amazonaws.com");
  Digest key{};
  EXPECT_EQ(S3ObjectPath(*aws, key), "/ci/cache/" + key.Hex());

  absl::StatusOr<S3Address> minio = ParseS3Url("s3://b?endpoint=http://10.0.0.5:9000");
  ASSERT_TRUE(minio.ok()) << minio.status();
  EXPECT_FALSE(minio->virtual_hosted);
  EXPECT_EQ(minio->region, "us-east-1");
  EXPECT_EQ(minio->endpoint.host, "10.0.0.5");
  EXPECT_EQ(minio->endpoint.port, 9000);
  EXPECT_EQ(S3ObjectPath(*minio, key), "/b/" + key.Hex());

  EXPECT_TRUE(ParseS3Url("s3://b?endpoint=https://s3.lan&addressing=virtual")->virtual_hosted);
  EXPECT_FALSE(ParseS3Url("s3://b?addressing=path")->virtual_hosted);
  for (const char* bad : {"s3://", "s3://Bucket", "s3://b?color=red", "s3://b?endpoint=ftp://x",
                          "s3://b?endpoint=http://h/path", "s3://b/a b"}) {
    EXPECT_FALSE(ParseS3Url(bad).ok()) << bad;
  }
}

}  // namespace
}  // namespace ddcc
