#include "cache/remote/remote_spec.h"

#include <algorithm>
#include <charconv>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

namespace ddcc {
namespace {

constexpr absl::string_view kRedisScheme = "redis://";
constexpr absl::string_view kRedissScheme = "rediss://";
constexpr absl::string_view kHttpScheme = "http://";
constexpr absl::string_view kHttpsScheme = "https://";
constexpr absl::string_view kS3Scheme = "s3://";

// A whole decimal number within [min, max].
absl::StatusOr<int> ParseInt(absl::string_view text, int min, int max, absl::string_view what) {
  int value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || error != std::errc() || end != text.data() + text.size() || value < min ||
      value > max) {
    return absl::InvalidArgumentError(
        absl::StrFormat("%s \"%s\" is not an integer from %d to %d", what, text, min, max));
  }
  return value;
}

// Takes "[user]:password@" or "password@" off the front of `authority`. The last '@' ends them,
// so a password may hold '@'.
void SplitCredentials(absl::string_view& authority, std::string& user, std::string& password) {
  size_t at = authority.rfind('@');
  if (at == absl::string_view::npos) return;
  absl::string_view credentials = authority.substr(0, at);
  authority.remove_prefix(at + 1);
  size_t colon = credentials.find(':');
  if (colon == absl::string_view::npos) {
    password = std::string(credentials);
  } else {
    user = std::string(credentials.substr(0, colon));
    password = std::string(credentials.substr(colon + 1));
  }
}

// "host", "host:port", "[ipv6]" or "[ipv6]:port"; `port` is left as it is when none is given.
absl::Status ParseHostPort(absl::string_view text, std::string& host, int& port) {
  // An IPv6 address comes in brackets, as its colons would read as the port's.
  absl::string_view name = text, digits;
  bool has_port = false;
  if (absl::StartsWith(text, "[")) {
    size_t close = text.find(']');
    if (close == absl::string_view::npos) {
      return absl::InvalidArgumentError("no ']' after an IPv6 address");
    }
    name = text.substr(1, close - 1);
    digits = text.substr(close + 1);
    has_port = absl::ConsumePrefix(&digits, ":");
    if (!has_port && !digits.empty()) return absl::InvalidArgumentError("junk after ']'");
  } else if (size_t colon = text.rfind(':'); colon != absl::string_view::npos) {
    name = text.substr(0, colon);
    digits = text.substr(colon + 1);
    has_port = true;
  }
  if (name.empty()) return absl::InvalidArgumentError("no host");
  host = std::string(name);
  if (has_port) {
    absl::StatusOr<int> number = ParseInt(digits, 1, 65535, "port");
    if (!number.ok()) return number.status();
    port = *number;
  }
  return absl::OkStatus();
}

// s3:// may name an https:// endpoint, as AWS's are.
bool IsTlsUrl(absl::string_view url) {
  return absl::StartsWith(url, kHttpsScheme) || absl::StartsWith(url, kRedissScheme) ||
         absl::StartsWith(url, kS3Scheme);
}

absl::Status ApplyAttribute(absl::string_view attribute, RemoteSpec& spec) {
  std::pair<std::string, absl::string_view> name_value =
      absl::StrSplit(attribute, absl::MaxSplits('=', 1));
  // ca_file and ca-file alike: names are written both ways.
  std::replace(name_value.first.begin(), name_value.first.end(), '_', '-');
  const auto& [name, value] = name_value;
  if (name == "read-only" && value.empty()) {
    spec.read_only = true;
    return absl::OkStatus();
  }
  if (name == "insecure" && value.empty() && IsTlsUrl(spec.url)) {
    spec.insecure = true;
    return absl::OkStatus();
  }
  if ((name == "ca-file" || name == "cert-file" || name == "key-file") && !value.empty() &&
      IsTlsUrl(spec.url)) {
    (name == "ca-file"     ? spec.ca_file
     : name == "cert-file" ? spec.cert_file
                           : spec.key_file) = std::string(value);
    return absl::OkStatus();
  }
  // A minute is far beyond any useful wait during a build; above it is surely a mistake.
  constexpr int kMaxTimeoutMs = 60'000;
  if (name == "connect-timeout" || name == "timeout") {
    absl::StatusOr<int> ms = ParseInt(value, 1, kMaxTimeoutMs, name);
    if (!ms.ok()) return ms.status();
    (name == "timeout" ? spec.timeout_ms : spec.connect_timeout_ms) = *ms;
    return absl::OkStatus();
  }
  if (name == "layout" && IsHttpUrl(spec.url)) {
    if (value != "flat" && value != "bazel") {
      return absl::InvalidArgumentError(
          absl::StrFormat("layout \"%s\" is neither flat nor bazel", value));
    }
    spec.layout = value == "bazel" ? HttpLayout::kBazel : HttpLayout::kFlat;
    return absl::OkStatus();
  }
  return absl::InvalidArgumentError(
      absl::StrFormat("unknown remote attribute \"%s\" (read-only, connect-timeout=ms, timeout=ms; "
                      "layout=flat|bazel for http:// and https://; ca-file=PATH, cert-file=PATH, "
                      "key-file=PATH, insecure for https:// and rediss://)",
                      attribute));
}

absl::Status CheckUrl(absl::string_view url) {
  if (IsRedisUrl(url)) return ParseRedisUrl(url).status();
  if (IsHttpUrl(url)) return ParseHttpUrl(url).status();
  if (IsS3Url(url)) return ParseS3Url(url).status();
  return absl::InvalidArgumentError(absl::StrFormat(
      "remote storage \"%s\": only redis://, rediss://, http://, https:// and s3:// URLs are "
      "supported",
      RedactUrl(url)));
}

absl::StatusOr<std::vector<RemoteSpec>> ParseSpecs(absl::string_view text);

// The setting with everything that may be credentials replaced by "***": in each stretch
// from a "://" (or the start) to the next, what comes before the stretch's last '@', but for a
// user name that holds nothing odd. Whatever a password holds, it lies there.
std::string MaskCredentials(absl::string_view text) {
  std::string masked;
  size_t begin = 0;
  while (true) {
    size_t next = text.find("://", begin);
    absl::string_view stretch =
        text.substr(begin, next == absl::string_view::npos ? next : next - begin);
    size_t at = stretch.rfind('@');
    if (at == absl::string_view::npos) {
      absl::StrAppend(&masked, stretch);
    } else {
      size_t colon = stretch.find(':');
      bool plain_user =
          colon < at && stretch.substr(0, colon).find_first_of(" \t|/@") == absl::string_view::npos;
      absl::StrAppend(&masked, plain_user ? stretch.substr(0, colon + 1) : "", "***",
                      stretch.substr(at));
    }
    if (next == absl::string_view::npos) break;
    absl::StrAppend(&masked, "://");
    begin = next + 3;
  }
  return masked;
}

}  // namespace

std::string RedactUrl(absl::string_view url) {
  size_t scheme_end = url.find("://");
  if (scheme_end == absl::string_view::npos) return std::string(url);
  // As the parsers read it: the last '@' ends the credentials; in an HTTP URL, the first '/'
  // ends the host part.
  size_t end = IsHttpUrl(url) ? url.find('/', scheme_end + 3) : absl::string_view::npos;
  size_t at = url.substr(0, end).rfind('@');
  if (at == absl::string_view::npos) return std::string(url);
  size_t colon = url.substr(0, at).find(':', scheme_end + 3);
  if (colon == absl::string_view::npos) colon = scheme_end + 2;  // "redis://password@host"
  return absl::StrCat(url.substr(0, colon + 1), "***", url.substr(at));
}

void HashRemoteSpec(const RemoteSpec& spec, Hasher& hasher) {
  hasher.Field(spec.url);
  hasher.Field(spec.read_only ? 1 : 0);
  hasher.Field(static_cast<uint64_t>(spec.connect_timeout_ms));
  hasher.Field(static_cast<uint64_t>(spec.timeout_ms));
  hasher.Field(static_cast<uint64_t>(spec.layout));
  hasher.Field(spec.ca_file);
  hasher.Field(spec.insecure ? 1 : 0);
  hasher.Field(spec.cert_file);
  hasher.Field(spec.key_file);
  hasher.Field(spec.aws.access_key_id);
  hasher.Field(spec.aws.secret_access_key);
  hasher.Field(spec.aws.session_token);
}

absl::StatusOr<std::vector<RemoteSpec>> ParseRemoteStorage(absl::string_view text) {
  absl::StatusOr<std::vector<RemoteSpec>> specs = ParseSpecs(text);
  if (specs.ok() || text.find('@') == absl::string_view::npos) return specs;
  // A password holding what splits the setting or ends a URL's host (' ', '|', '/') is cut in
  // pieces, and the messages would quote them: they quote the masked setting instead.
  const std::string masked = MaskCredentials(text);
  absl::StatusOr<std::vector<RemoteSpec>> masked_specs = ParseSpecs(masked);
  if (!masked_specs.ok()) return masked_specs.status();
  return absl::InvalidArgumentError(absl::StrFormat(
      "remote storage \"%s\" is malformed where its credentials are (hidden here)", masked));
}

namespace {

absl::StatusOr<std::vector<RemoteSpec>> ParseSpecs(absl::string_view text) {
  std::vector<RemoteSpec> specs;
  for (absl::string_view item : absl::StrSplit(text, absl::ByAnyChar(" \t"), absl::SkipEmpty())) {
    std::vector<absl::string_view> parts = absl::StrSplit(item, '|');
    RemoteSpec spec;
    spec.url = std::string(parts[0]);
    if (absl::Status status = CheckUrl(spec.url); !status.ok()) return status;
    for (size_t i = 1; i < parts.size(); ++i) {
      if (absl::Status status = ApplyAttribute(parts[i], spec); !status.ok()) return status;
    }
    if (spec.cert_file.empty() != spec.key_file.empty()) {
      return absl::InvalidArgumentError(absl::StrFormat(
          "remote storage \"%s\": cert-file and key-file go together", RedactUrl(spec.url)));
    }
    specs.push_back(std::move(spec));
  }
  return specs;
}

}  // namespace

bool IsRedisUrl(absl::string_view url) {
  return absl::StartsWith(url, kRedisScheme) || absl::StartsWith(url, kRedissScheme);
}

TlsSettings TlsSettingsOf(const RemoteSpec& spec, const std::string& host) {
  return TlsSettings{host, spec.ca_file, spec.cert_file, spec.key_file, spec.insecure};
}

bool IsHttpUrl(absl::string_view url) {
  return absl::StartsWith(url, kHttpScheme) || absl::StartsWith(url, kHttpsScheme);
}

absl::StatusOr<RedisAddress> ParseRedisUrl(absl::string_view url) {
  auto bad = [whole = url](absl::string_view why) {
    return absl::InvalidArgumentError(
        absl::StrFormat("bad Redis URL \"%s\": %s (redis[s]://[[user]:password@]host[:port][/db])",
                        RedactUrl(whole), why));
  };
  RedisAddress address;
  if (absl::ConsumePrefix(&url, kRedissScheme)) {
    address.tls = true;
  } else if (!absl::ConsumePrefix(&url, kRedisScheme)) {
    return bad("not redis:// or rediss://");
  }
  SplitCredentials(url, address.user, address.password);
  if (size_t slash = url.find('/'); slash != absl::string_view::npos) {
    absl::StatusOr<int> db = ParseInt(url.substr(slash + 1), 0, 1'000'000, "database");
    if (!db.ok()) return bad(db.status().message());
    address.db = *db;
    url = url.substr(0, slash);
  }
  if (absl::Status status = ParseHostPort(url, address.host, address.port); !status.ok()) {
    return bad(status.message());
  }
  return address;
}

absl::StatusOr<HttpAddress> ParseHttpUrl(absl::string_view url) {
  auto bad = [whole = url](absl::string_view why) {
    return absl::InvalidArgumentError(
        absl::StrFormat("bad HTTP URL \"%s\": %s (http[s]://[user:password@]host[:port][/path])",
                        RedactUrl(whole), why));
  };
  HttpAddress address;
  if (absl::ConsumePrefix(&url, kHttpsScheme)) {
    address.tls = true;
    address.port = 443;
  } else if (!absl::ConsumePrefix(&url, kHttpScheme)) {
    return bad("not http:// or https://");
  }
  size_t slash = url.find('/');
  absl::string_view authority = url.substr(0, slash);
  if (slash != absl::string_view::npos) {
    absl::string_view path = absl::StripSuffix(url.substr(slash), "/");
    // The path goes into the request line as it is.
    for (char c : path) {
      if (static_cast<unsigned char>(c) <= ' ' || c == '?' || c == '#' || c == 0x7f) {
        return bad("the path may hold no space, control character, '?' or '#'");
      }
    }
    address.path = std::string(path);
  }
  SplitCredentials(authority, address.user, address.password);
  if (absl::Status status = ParseHostPort(authority, address.host, address.port); !status.ok()) {
    return bad(status.message());
  }
  return address;
}

bool IsS3Url(absl::string_view url) { return absl::StartsWith(url, kS3Scheme); }

absl::StatusOr<S3Address> ParseS3Url(absl::string_view url) {
  auto bad = [whole = url](absl::string_view why) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "bad S3 URL \"%s\": %s (s3://bucket[/prefix][?region=R&endpoint=URL&addressing=path|"
        "virtual])",
        whole, why));
  };
  if (!absl::ConsumePrefix(&url, kS3Scheme)) return bad("not s3://");
  S3Address address;
  absl::string_view query;
  if (size_t mark = url.find('?'); mark != absl::string_view::npos) {
    query = url.substr(mark + 1);
    url = url.substr(0, mark);
  }
  size_t slash = url.find('/');
  address.bucket = std::string(url.substr(0, slash));
  if (address.bucket.empty() ||
      address.bucket.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789.-") !=
          std::string::npos) {
    return bad("a bucket's name is lower-case letters, digits, '.' and '-'");
  }
  if (slash != absl::string_view::npos) {
    address.prefix = std::string(absl::StripSuffix(url.substr(slash + 1), "/"));
    for (char c : address.prefix) {
      if (static_cast<unsigned char>(c) <= ' ' || c == '?' || c == '#' || c == 0x7f) {
        return bad("the prefix may hold no space, control character, '?' or '#'");
      }
    }
  }
  std::string endpoint, addressing;
  for (absl::string_view parameter : absl::StrSplit(query, '&', absl::SkipEmpty())) {
    std::pair<absl::string_view, absl::string_view> name_value =
        absl::StrSplit(parameter, absl::MaxSplits('=', 1));
    const auto& [name, value] = name_value;
    if (name == "region" && !value.empty()) {
      address.region = std::string(value);
    } else if (name == "endpoint" && !value.empty()) {
      endpoint = std::string(value);
    } else if (name == "addressing" && (value == "path" || value == "virtual")) {
      addressing = std::string(value);
    } else {
      return bad(absl::StrCat("unknown parameter \"", parameter, "\""));
    }
  }
  // AWS serves any bucket under its own name; other servers (MinIO, Ceph, s3rver) commonly
  // only below their address.
  address.virtual_hosted = addressing.empty() ? endpoint.empty() : addressing == "virtual";
  if (endpoint.empty()) endpoint = absl::StrCat("https://s3.", address.region, ".amazonaws.com");
  absl::StatusOr<HttpAddress> server = ParseHttpUrl(endpoint);
  if (!server.ok()) return bad(server.status().message());
  if (!server->path.empty() || !server->user.empty() || !server->password.empty()) {
    return bad("the endpoint is a server's address alone");
  }
  address.endpoint = *std::move(server);
  if (address.virtual_hosted) {
    address.endpoint.host = absl::StrCat(address.bucket, ".", address.endpoint.host);
  }
  return address;
}

absl::Status TimedOut(const RemoteSpec& spec, bool connected) {
  return absl::DeadlineExceededError(absl::StrCat(
      RedactUrl(spec.url), connected ? ": no answer within " : ": not connected within ",
      connected ? spec.timeout_ms : spec.connect_timeout_ms, " ms"));
}

std::string ShowRemoteStorage(const std::vector<RemoteSpec>& specs) {
  return absl::StrJoin(specs, " ", [](std::string* out, const RemoteSpec& spec) {
    absl::StrAppend(out, RedactUrl(spec.url));
    if (spec.read_only) absl::StrAppend(out, "|read-only");
    absl::StrAppend(out, "|connect-timeout=", spec.connect_timeout_ms,
                    "|timeout=", spec.timeout_ms);
    if (IsHttpUrl(spec.url)) {
      absl::StrAppend(out, "|layout=", spec.layout == HttpLayout::kBazel ? "bazel" : "flat");
    }
    if (!spec.ca_file.empty()) absl::StrAppend(out, "|ca-file=", spec.ca_file);
    if (!spec.cert_file.empty()) {
      absl::StrAppend(out, "|cert-file=", spec.cert_file, "|key-file=", spec.key_file);
    }
    if (spec.insecure) absl::StrAppend(out, "|insecure");
  });
}

}  // namespace ddcc
