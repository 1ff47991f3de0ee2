#include "launcher/aws_settings.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "cache/util/files.h"

namespace ddcc {
namespace {

std::string Variable(const EnvLookup& env, const char* name) {
  const char* value = env(name);
  return value ? value : "";
}

}  // namespace

std::optional<AwsCredentials> ProfileCredentials(absl::string_view text,
                                                 absl::string_view profile) {
  std::optional<AwsCredentials> found;
  bool in_profile = false;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    line = absl::StripAsciiWhitespace(line);
    if (line.empty() || line[0] == '#' || line[0] == ';') continue;
    if (absl::ConsumePrefix(&line, "[")) {
      in_profile = absl::StripAsciiWhitespace(absl::StripSuffix(line, "]")) == profile;
      if (in_profile && !found) found.emplace();
      continue;
    }
    if (!in_profile) continue;
    std::pair<absl::string_view, absl::string_view> name_value =
        absl::StrSplit(line, absl::MaxSplits('=', 1));
    const absl::string_view name = absl::StripAsciiWhitespace(name_value.first);
    const std::string value(absl::StripAsciiWhitespace(name_value.second));
    if (name == "aws_access_key_id") found->access_key_id = value;
    if (name == "aws_secret_access_key") found->secret_access_key = value;
    if (name == "aws_session_token") found->session_token = value;
  }
  return found;
}

absl::Status AddAwsCredentials(std::vector<RemoteSpec>& remotes, const EnvLookup& env) {
  bool wanted = false;
  for (const RemoteSpec& remote : remotes) wanted = wanted || IsS3Url(remote.url);
  if (!wanted) return absl::OkStatus();
  AwsCredentials credentials{Variable(env, "AWS_ACCESS_KEY_ID"),
                             Variable(env, "AWS_SECRET_ACCESS_KEY"),
                             Variable(env, "AWS_SESSION_TOKEN")};
  if (credentials.access_key_id.empty()) {
    std::string file = Variable(env, "AWS_SHARED_CREDENTIALS_FILE");
    if (file.empty() && !Variable(env, "HOME").empty()) {
      file = absl::StrCat(Variable(env, "HOME"), "/.aws/credentials");
    }
    std::string profile = Variable(env, "AWS_PROFILE");
    if (profile.empty()) profile = "default";
    absl::StatusOr<std::string> text = file.empty() ? absl::NotFoundError("") : ReadFile(file);
    if (text.ok()) {
      if (std::optional<AwsCredentials> found = ProfileCredentials(*text, profile)) {
        credentials = *std::move(found);
      } else if (!Variable(env, "AWS_PROFILE").empty()) {
        return absl::InvalidArgumentError(
            absl::StrCat("AWS_PROFILE: no profile \"", profile, "\" in ", file));
      }
    }
  }
  if (credentials.access_key_id.empty() != credentials.secret_access_key.empty()) {
    return absl::InvalidArgumentError(
        "AWS credentials: a key id without a secret, or a secret "
        "without a key id");
  }
  for (RemoteSpec& remote : remotes) {
    if (IsS3Url(remote.url)) remote.aws = credentials;
  }
  return absl::OkStatus();
}

std::optional<std::string> SccacheS3Storage(const EnvLookup& env) {
  const std::string bucket = Variable(env, "SCCACHE_BUCKET");
  if (bucket.empty()) return std::nullopt;
  std::string url = absl::StrCat("s3://", bucket);
  const std::string prefix = Variable(env, "SCCACHE_S3_KEY_PREFIX");
  if (!prefix.empty()) absl::StrAppend(&url, "/", absl::StripPrefix(prefix, "/"));
  std::vector<std::string> parameters;
  if (const std::string region = Variable(env, "SCCACHE_REGION"); !region.empty()) {
    parameters.push_back(absl::StrCat("region=", region));
  }
  if (std::string endpoint = Variable(env, "SCCACHE_ENDPOINT"); !endpoint.empty()) {
    if (!absl::StrContains(endpoint, "://")) {
      const bool tls = absl::AsciiStrToLower(Variable(env, "SCCACHE_S3_USE_SSL")) == "true";
      endpoint = absl::StrCat(tls ? "https://" : "http://", endpoint);
    }
    parameters.push_back(absl::StrCat("endpoint=", endpoint));
  }
  if (!parameters.empty()) absl::StrAppend(&url, "?", absl::StrJoin(parameters, "&"));
  return url;
}

}  // namespace ddcc
