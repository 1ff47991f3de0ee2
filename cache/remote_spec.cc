#include "cache/remote_spec.h"

#include <charconv>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

namespace ddcc {
namespace {

constexpr absl::string_view kRedisScheme = "redis://";

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

absl::Status ApplyAttribute(absl::string_view attribute, RemoteSpec& spec) {
  if (attribute == "read-only") {
    spec.read_only = true;
    return absl::OkStatus();
  }
  std::pair<absl::string_view, absl::string_view> name_value =
      absl::StrSplit(attribute, absl::MaxSplits('=', 1));
  const auto& [name, value] = name_value;
  // A minute is far beyond any useful wait during a build; above it is surely a mistake.
  constexpr int kMaxTimeoutMs = 60'000;
  if (name == "connect-timeout" || name == "timeout") {
    absl::StatusOr<int> ms = ParseInt(value, 1, kMaxTimeoutMs, name);
    if (!ms.ok()) return ms.status();
    (name == "timeout" ? spec.timeout_ms : spec.connect_timeout_ms) = *ms;
    return absl::OkStatus();
  }
  return absl::InvalidArgumentError(absl::StrFormat(
      "unknown remote attribute \"%s\" (read-only, connect-timeout=ms, timeout=ms)", attribute));
}

}  // namespace

std::string RedactUrl(absl::string_view url) {
  size_t scheme_end = url.find("://");
  size_t at = url.find('@');
  if (scheme_end == absl::string_view::npos || at == absl::string_view::npos) {
    return std::string(url);
  }
  size_t colon = url.substr(0, at).find(':', scheme_end + 3);
  if (colon == absl::string_view::npos) colon = scheme_end + 2;  // "redis://password@host"
  return absl::StrCat(url.substr(0, colon + 1), "***", url.substr(at));
}

absl::StatusOr<std::vector<RemoteSpec>> ParseRemoteStorage(absl::string_view text) {
  std::vector<RemoteSpec> specs;
  for (absl::string_view item : absl::StrSplit(text, absl::ByAnyChar(" \t"), absl::SkipEmpty())) {
    std::vector<absl::string_view> parts = absl::StrSplit(item, '|');
    RemoteSpec spec;
    spec.url = std::string(parts[0]);
    if (!absl::StartsWith(spec.url, kRedisScheme)) {
      return absl::InvalidArgumentError(absl::StrFormat(
          "remote storage \"%s\": only redis:// URLs are supported", RedactUrl(spec.url)));
    }
    if (absl::StatusOr<RedisAddress> address = ParseRedisUrl(spec.url); !address.ok()) {
      return address.status();
    }
    for (size_t i = 1; i < parts.size(); ++i) {
      if (absl::Status status = ApplyAttribute(parts[i], spec); !status.ok()) return status;
    }
    specs.push_back(std::move(spec));
  }
  return specs;
}

absl::StatusOr<RedisAddress> ParseRedisUrl(absl::string_view url) {
  // `url` is consumed as it is parsed.
  auto bad = [whole = url](absl::string_view why) {
    return absl::InvalidArgumentError(
        absl::StrFormat("bad Redis URL \"%s\": %s (redis://[[user]:password@]host[:port][/db])",
                        RedactUrl(whole), why));
  };
  if (!absl::ConsumePrefix(&url, kRedisScheme)) return bad("not redis://");
  RedisAddress address;
  if (size_t at = url.rfind('@'); at != absl::string_view::npos) {
    absl::string_view credentials = url.substr(0, at);
    url.remove_prefix(at + 1);
    size_t colon = credentials.find(':');
    if (colon == absl::string_view::npos) {
      address.password = std::string(credentials);
    } else {
      address.user = std::string(credentials.substr(0, colon));
      address.password = std::string(credentials.substr(colon + 1));
    }
  }
  if (size_t slash = url.find('/'); slash != absl::string_view::npos) {
    absl::StatusOr<int> db = ParseInt(url.substr(slash + 1), 0, 1'000'000, "database");
    if (!db.ok()) return bad(db.status().message());
    address.db = *db;
    url = url.substr(0, slash);
  }
  // An IPv6 address comes in brackets, as its colons would read as the port's.
  absl::string_view host = url, port;
  bool has_port = false;
  if (absl::StartsWith(url, "[")) {
    size_t close = url.find(']');
    if (close == absl::string_view::npos) return bad("no ']' after an IPv6 address");
    host = url.substr(1, close - 1);
    port = url.substr(close + 1);
    has_port = absl::ConsumePrefix(&port, ":");
    if (!has_port && !port.empty()) return bad("junk after ']'");
  } else if (size_t colon = url.rfind(':'); colon != absl::string_view::npos) {
    host = url.substr(0, colon);
    port = url.substr(colon + 1);
    has_port = true;
  }
  if (host.empty()) return bad("no host");
  address.host = std::string(host);
  if (has_port) {
    absl::StatusOr<int> number = ParseInt(port, 1, 65535, "port");
    if (!number.ok()) return bad(number.status().message());
    address.port = *number;
  }
  return address;
}

std::string ShowRemoteStorage(const std::vector<RemoteSpec>& specs) {
  return absl::StrJoin(specs, " ", [](std::string* out, const RemoteSpec& spec) {
    absl::StrAppend(out, RedactUrl(spec.url));
    if (spec.read_only) absl::StrAppend(out, "|read-only");
    absl::StrAppend(out, "|connect-timeout=", spec.connect_timeout_ms,
                    "|timeout=", spec.timeout_ms);
  });
}

}  // namespace ddcc
