#include "cache/remote/sigv4.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace ddcc {
namespace {

std::string Hmac(absl::string_view key, absl::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), out, &length);
  return std::string(reinterpret_cast<char*>(out), length);
}

}  // namespace

std::string Sha256Hex(absl::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(data.data(), data.size(), out, &length, EVP_sha256(), nullptr);
  return absl::BytesToHexString(absl::string_view(reinterpret_cast<char*>(out), length));
}

std::string UriEncodePath(absl::string_view text) {
  std::string out;
  for (char c : text) {
    if (absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.' ||
        c == '~' || c == '/') {
      out.push_back(c);
    } else {
      absl::StrAppend(&out, "%", absl::AsciiStrToUpper(absl::BytesToHexString(std::string(1, c))));
    }
  }
  return out;
}

std::string SigV4Authorization(const SigV4Request& request, const AwsCredentials& credentials,
                               absl::string_view amz_date, absl::string_view region,
                               absl::string_view service) {
  // Headers by lower-case name, sorted, values with their spaces trimmed.
  std::vector<std::pair<std::string, std::string>> headers;
  for (const auto& [name, value] : request.headers) {
    headers.emplace_back(absl::AsciiStrToLower(name),
                         std::string(absl::StripAsciiWhitespace(value)));
  }
  std::sort(headers.begin(), headers.end());
  std::string canonical_headers, signed_headers;
  for (const auto& [name, value] : headers) {
    absl::StrAppend(&canonical_headers, name, ":", value, "\n");
    absl::StrAppend(&signed_headers, signed_headers.empty() ? "" : ";", name);
  }
  const std::string canonical_request =
      absl::StrJoin({request.method, request.path, request.query, canonical_headers, signed_headers,
                     request.payload_hash},
                    "\n");
  const absl::string_view day = amz_date.substr(0, 8);
  const std::string scope = absl::StrCat(day, "/", region, "/", service, "/aws4_request");
  const std::string string_to_sign =
      absl::StrCat("AWS4-HMAC-SHA256\n", amz_date, "\n", scope, "\n", Sha256Hex(canonical_request));
  std::string key = Hmac(absl::StrCat("AWS4", credentials.secret_access_key), day);
  for (absl::string_view part : {region, service, absl::string_view("aws4_request")}) {
    key = Hmac(key, part);
  }
  return absl::StrCat("AWS4-HMAC-SHA256 Credential=", credentials.access_key_id, "/", scope,
                      ", SignedHeaders=", signed_headers,
                      ", Signature=", absl::BytesToHexString(Hmac(key, string_to_sign)));
}

}  // namespace ddcc
