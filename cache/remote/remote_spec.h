// The remote_storage setting: one or several remote stores separated by spaces, each a URL with
// attributes after '|', e.g. "redis://10.0.0.5:6379/2|read-only|connect-timeout=100|timeout=500"
// or "http://cache.lan:8080/ddcc|layout=bazel" or "https://cache.example.com/ddcc|ca-file=ca.pem".
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "cache/remote/sigv4.h"
#include "cache/remote/tls_session.h"
#include "cache/util/hash.h"

namespace ddcc {

// Where an HTTP remote keeps an entry, below the URL's path.
enum class HttpLayout {
  kFlat,   // <path>/<key in hex>
  kBazel,  // <path>/ac/<key in hex, padded to 64 digits>: bazel-remote's action cache
};

struct RemoteSpec {
  std::string url;  // without its attributes
  bool read_only = false;
  // Milliseconds. Connecting on loopback or a LAN takes well under a millisecond; a remote that
  // needs longer is too slow to be worth asking during a build.
  int connect_timeout_ms = 100;
  int timeout_ms = 500;                   // for each request (GET, SET, PUT) once connected
  HttpLayout layout = HttpLayout::kFlat;  // http:// and https:// only
  // https:// and rediss:// only. The server's certificate is checked against the system's
  // store, or only against the certificates in ca_file when set; with insecure, not at all.
  std::string ca_file;
  bool insecure = false;
  std::string cert_file, key_file;  // the client's certificate and key, both or neither
  AwsCredentials aws;               // s3:// only: set by the configuration, never shown
};

// Every field of `spec`, for a key that must change with any of them: the storage helper's, as
// one helper serves one configuration.
void HashRemoteSpec(const RemoteSpec& spec, Hasher& hasher);

// Each URL is checked by its scheme: redis://, rediss://, http://, https:// or s3://.
absl::StatusOr<std::vector<RemoteSpec>> ParseRemoteStorage(absl::string_view text);

struct RedisAddress {
  bool tls = false;  // rediss://
  std::string user;  // empty: AUTH with the password alone (Redis before 6)
  std::string password;
  std::string host;
  int port = 6379;
  int db = 0;
};

// redis:// or rediss://
bool IsRedisUrl(absl::string_view url);

// The TLS settings for a connection to `host` of a TLS URL's remote.
TlsSettings TlsSettingsOf(const RemoteSpec& spec, const std::string& host);

// redis[s]://[[user]:password@]host[:port][/db]
absl::StatusOr<RedisAddress> ParseRedisUrl(absl::string_view url);

struct HttpAddress {
  bool tls = false;  // https://
  std::string user;  // with the password, sent as Basic authentication when either is set
  std::string password;
  std::string host;
  int port = 80;     // 443 for https://
  std::string path;  // "" or "/prefix", never ending in '/'
};

// http:// or https://
bool IsHttpUrl(absl::string_view url);

// http[s]://[user:password@]host[:port][/path]
absl::StatusOr<HttpAddress> ParseHttpUrl(absl::string_view url);

struct S3Address {
  std::string bucket;
  std::string prefix;  // "" or "dir" or "dir/sub": objects are <prefix>/<key in hex>
  std::string region = "us-east-1";
  HttpAddress endpoint;        // the server: AWS's for the region, or the endpoint given
  bool virtual_hosted = true;  // the bucket in the host name; else in the path
};

bool IsS3Url(absl::string_view url);

// s3://bucket[/prefix][?region=R&endpoint=http[s]://host[:port]&addressing=path|virtual]. Without
// an endpoint, AWS's (https://s3.<region>.amazonaws.com), virtual-hosted; with one, path-style
// unless addressing=virtual.
absl::StatusOr<S3Address> ParseS3Url(absl::string_view url);

// The URL with its password, if any, replaced by "***", for messages and the log.
std::string RedactUrl(absl::string_view url);

// The error for a request to the remote that ran out of time: its connect-timeout when not
// `connected`, else its timeout.
absl::Status TimedOut(const RemoteSpec& spec, bool connected);

// The setting as --show-config and the log show it: passwords replaced by "***".
std::string ShowRemoteStorage(const std::vector<RemoteSpec>& specs);

}  // namespace ddcc
