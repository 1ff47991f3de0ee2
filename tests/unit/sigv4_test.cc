#include "cache/remote/sigv4.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace ddcc {
namespace {

using ::testing::EndsWith;
using ::testing::StartsWith;

constexpr char kEmptyHash[] = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

// The examples of Amazon S3's "Authenticating Requests (AWS Signature Version 4)" pages.
TEST(SigV4Test, S3GetObjectExample) {
  SigV4Request request{"GET",
                       "/test.txt",
                       "",
                       {{"Host", "examplebucket.s3.amazonaws.com"},
                        {"Range", "bytes=0-9"},
                        {"x-amz-content-sha256", kEmptyHash},
                        {"x-amz-date", "20130524T000000Z"}},
                       kEmptyHash};
  AwsCredentials credentials{"AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
                             ""};
  EXPECT_EQ(SigV4Authorization(request, credentials, "20130524T000000Z", "us-east-1", "s3"),
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
            "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, "
            "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
}

TEST(SigV4Test, S3PutObjectExample) {
  const std::string payload = Sha256Hex("Welcome to Amazon S3.");
  EXPECT_EQ(payload, "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072");
  SigV4Request request{"PUT",
                       UriEncodePath("/test$file.text"),
                       "",
                       {{"Date", "Fri, 24 May 2013 00:00:00 GMT"},
                        {"Host", "examplebucket.s3.amazonaws.com"},
                        {"x-amz-content-sha256", payload},
                        {"x-amz-date", "20130524T000000Z"},
                        {"x-amz-storage-class", "REDUCED_REDUNDANCY"}},
                       payload};
  EXPECT_EQ(request.path, "/test%24file.text");
  AwsCredentials credentials{"AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
                             ""};
  EXPECT_THAT(
      SigV4Authorization(request, credentials, "20130524T000000Z", "us-east-1", "s3"),
      EndsWith("Signature=98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd"));
}

// get-vanilla of AWS's Signature Version 4 test suite.
TEST(SigV4Test, TestSuiteGetVanilla) {
  SigV4Request request{"GET",
                       "/",
                       "",
                       {{"Host", "example.amazonaws.com"}, {"X-Amz-Date", "20150830T123600Z"}},
                       kEmptyHash};
  AwsCredentials credentials{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", ""};
  const std::string authorization =
      SigV4Authorization(request, credentials, "20150830T123600Z", "us-east-1", "service");
  EXPECT_THAT(authorization,
              StartsWith("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/"
                         "aws4_request, SignedHeaders=host;x-amz-date, "));
  EXPECT_THAT(
      authorization,
      EndsWith("Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"));
}

TEST(SigV4Test, PathEncoding) {
  EXPECT_EQ(UriEncodePath("/a b/c~d_e-f.g/+%"), "/a%20b/c~d_e-f.g/%2B%25");
}

}  // namespace
}  // namespace ddcc
