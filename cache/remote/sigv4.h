// AWS Signature Version 4, as S3 checks it on every request that carries credentials: a
// canonical form of the request, signed with a key derived from the secret for one day, region
// and service.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"

namespace ddcc {

struct AwsCredentials {
  std::string access_key_id;  // empty: requests go unsigned (a bucket open to anyone)
  std::string secret_access_key;
  std::string session_token;  // temporary credentials only
};

struct SigV4Request {
  std::string method;  // "GET"
  std::string path;    // as sent: each segment already percent-encoded
  std::string query;   // canonical already: names sorted, encoded; "" for none
  // Every header to sign (host and x-amz-date among them), names in any case.
  std::vector<std::pair<std::string, std::string>> headers;
  std::string payload_hash;  // Sha256Hex of the body
};

// The value of the Authorization header. `amz_date` as in x-amz-date: "20130524T000000Z".
std::string SigV4Authorization(const SigV4Request& request, const AwsCredentials& credentials,
                               absl::string_view amz_date, absl::string_view region,
                               absl::string_view service);

std::string Sha256Hex(absl::string_view data);

// `text` percent-encoded as SigV4 wants a path: everything but unreserved characters and '/'.
std::string UriEncodePath(absl::string_view text);

}  // namespace ddcc
