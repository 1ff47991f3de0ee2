#include "cache/remote/s3_service.h"

#include <time.h>

#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "cache/remote/sigv4.h"

namespace ddcc {
namespace {

// Now, as x-amz-date has it: 20130524T000000Z.
std::string AmzDate() {
  time_t now = time(nullptr);
  struct tm utc;
  gmtime_r(&now, &utc);
  char text[32];
  strftime(text, sizeof(text), "%Y%m%dT%H%M%SZ", &utc);
  return text;
}

}  // namespace

std::string S3ObjectPath(const S3Address& address, const Digest& key) {
  return UriEncodePath(absl::StrCat(address.virtual_hosted ? "" : "/" + address.bucket,
                                    address.prefix.empty() ? "" : "/" + address.prefix, "/",
                                    key.Hex()));
}

HttpService S3Service(const RemoteSpec& spec) {
  const S3Address address = *ParseS3Url(spec.url);
  HttpService service;
  service.address = address.endpoint;
  service.path_of = [address](const Digest& key) { return S3ObjectPath(address, key); };
  if (spec.aws.access_key_id.empty()) return service;  // anonymous: a public bucket
  service.headers = [credentials = spec.aws, region = address.region](const HttpRequestLine& line) {
    const std::string date = AmzDate();
    const std::string payload_hash = Sha256Hex(line.body);
    std::vector<std::pair<std::string, std::string>> headers = {
        {"host", std::string(line.host)},
        {"x-amz-content-sha256", payload_hash},
        {"x-amz-date", date}};
    if (!credentials.session_token.empty()) {
      headers.emplace_back("x-amz-security-token", credentials.session_token);
    }
    const std::string authorization = SigV4Authorization(
        {std::string(line.method), std::string(line.path), "", headers, payload_hash}, credentials,
        date, region, "s3");
    std::string lines;
    for (const auto& [name, value] : headers) {
      if (name != "host") absl::StrAppend(&lines, name, ": ", value, "\r\n");
    }
    return absl::StrCat(lines, "Authorization: ", authorization, "\r\n");
  };
  return service;
}

}  // namespace ddcc
