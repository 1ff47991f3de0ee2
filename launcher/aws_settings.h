// The S3 settings a user of the AWS tools or of sccache already has: credentials from the
// environment or the shared credentials file, and sccache's S3 variables.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "cache/remote/remote_spec.h"
#include "launcher/config.h"

namespace ddcc {

// Gives every s3:// remote the credentials the AWS tools would use: AWS_ACCESS_KEY_ID and
// AWS_SECRET_ACCESS_KEY (with AWS_SESSION_TOKEN), else the profile AWS_PROFILE (else "default")
// of the shared credentials file (AWS_SHARED_CREDENTIALS_FILE, else ~/.aws/credentials). None:
// requests go unsigned.
absl::Status AddAwsCredentials(std::vector<RemoteSpec>& remotes, const EnvLookup& env);

// A profile's credentials in the text of a shared credentials file ([profile] sections of
// key = value lines); nullopt when the profile is not there.
std::optional<AwsCredentials> ProfileCredentials(absl::string_view text, absl::string_view profile);

// sccache's S3 variables as a remote_storage setting: SCCACHE_BUCKET, with SCCACHE_REGION,
// SCCACHE_S3_KEY_PREFIX and SCCACHE_ENDPOINT (its scheme by SCCACHE_S3_USE_SSL when it has
// none); nullopt without SCCACHE_BUCKET.
std::optional<std::string> SccacheS3Storage(const EnvLookup& env);

}  // namespace ddcc
