#include "launcher/keys.h"

#include <unistd.h>

#include <climits>
#include <cstdlib>

#include "absl/strings/str_cat.h"
#include "cache/entry.h"
#include "cache/files.h"
#include "launcher/depfile.h"

namespace ddcc {
namespace {

// Environment that changes what the compiler writes (diagnostics' language and quotes, which
// cc1 runs, rewritten arguments) without showing in the preprocessed text.
constexpr const char* kCompileEnv[] = {"LANG",
                                       "LC_ALL",
                                       "LC_CTYPE",
                                       "LC_MESSAGES",
                                       "GCC_EXEC_PREFIX",
                                       "COMPILER_PATH",
                                       "CCC_OVERRIDE_OPTIONS",
                                       "GCC_COMPARE_DEBUG"};
// Environment that changes the preprocessed text: the direct key must cover it.
constexpr const char* kPreprocessEnv[] = {"CPATH", "C_INCLUDE_PATH", "CPLUS_INCLUDE_PATH",
                                          "SOURCE_DATE_EPOCH"};

void HashEnv(Hasher& hasher, const char* name) {
  const char* value = std::getenv(name);
  hasher.Field(name);
  hasher.Field(value ? absl::StrCat("=", value) : "unset");
}

}  // namespace

absl::Status KeyMaker::HashCommon(Hasher& hasher) const {
  absl::StatusOr<Digest> identity = CompilerIdentity(compiler_, config_);
  if (!identity.ok()) return identity.status();
  hasher.Field(kFormatVersion);
  hasher.Field(identity->Hex());
  hasher.Field(compiler_.name);  // clang and clang++ are one binary that reads its name
  hasher.Field(request_.language);
  hasher.Field(request_.hashed_args.size());
  for (const std::string& arg : request_.hashed_args) hasher.Field(arg);
  for (const std::string& file : request_.extra_input_files) {
    absl::StatusOr<Digest> content = HashFile(file);
    if (!content.ok()) return content.status();
    hasher.Field(file);
    hasher.Field(content->Hex());
  }
  if (request_.debug_info) {  // the object names the working directory
    char cwd[PATH_MAX];
    if (getcwd(cwd, sizeof(cwd)) == nullptr) return ErrnoStatus("getcwd", ".");
    hasher.Field(cwd);
  }
  for (const char* name : kCompileEnv) HashEnv(hasher, name);
  hasher.Field(color_ ? "color" : "plain");
  hasher.Field(request_.generates_deps ? "depfile" : "no depfile");
  if (request_.generates_deps) {
    hasher.Field(request_.dep_options.size());
    for (const std::string& option : request_.dep_options) hasher.Field(option);
    HashDepTargets(hasher, request_.dep_targets);
  }
  return absl::OkStatus();
}

absl::StatusOr<Digest> KeyMaker::DirectKey() const {
  Hasher hasher;
  hasher.Field("ddcc direct key");
  if (absl::Status status = HashCommon(hasher); !status.ok()) return status;
  hasher.Field(request_.preprocess_args.size());
  for (const std::string& arg : request_.preprocess_args) hasher.Field(arg);
  for (const char* name : kPreprocessEnv) HashEnv(hasher, name);
  absl::StatusOr<Digest> source = HashFile(request_.source);
  if (!source.ok()) return source.status();
  hasher.Field(source->Hex());
  return hasher.Finish();
}

absl::StatusOr<Digest> KeyMaker::ResultKey(const ProcessResult& preprocessed) const {
  Hasher hasher;
  hasher.Field("ddcc result key");
  if (absl::Status status = HashCommon(hasher); !status.ok()) return status;
  hasher.Field(preprocessed.out);
  // Warnings that only preprocessing options cause (a macro redefined by -D) reach the
  // compile's stderr too, which a hit replays.
  hasher.Field(preprocessed.err);
  return hasher.Finish();
}

}  // namespace ddcc
