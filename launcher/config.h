// Configuration: defaults, then the config file, then DDCC_* environment variables (and a few
// SCCACHE_* ones where the DDCC_ one is unset); later wins. Each value remembers where it came
// from.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "cache/remote/remote_spec.h"
#include "cache/store/store.h"

namespace ddcc {

// Returns the variable's value, or nullptr when unset (std::getenv's contract).
using EnvLookup = std::function<const char*(const char*)>;

struct Config {
  std::string cache_dir;
  uint64_t max_size = 5ull << 30;
  uint64_t max_files = 0;  // 0: no limit
  bool disable = false;
  bool recache = false;
  std::string log_file;
  int compression_level = 1;
  std::string compiler_check = "mtime";  // or "content"
  bool direct_mode = true;
  // A direct-mode miss learns the include set from the compile's dependency file, not from
  // running the preprocessor (launcher/depfile.h).
  bool depend_mode = false;
  bool sloppy_time_macros = false;  // sloppiness = time_macros
  bool debug = false;               // write each compile's key inputs beside its object
  // The umask for files and directories ddcc creates in the cache directory (a cache shared by a
  // group wants 002); unset, the process's own.
  std::optional<mode_t> umask;
  // Absolute directories (no trailing slash) below which paths are keyed relative to the working
  // directory, so that the same tree elsewhere hits (docs/paths.md).
  std::vector<std::string> base_dirs;
  std::vector<RemoteSpec> remote_storage;  // asked in order after the local store
  // Whether compiles ask the remotes through the storage helper (launcher/storage_helper.h),
  // which stops after this long without a request (0: never).
  bool storage_helper = true;
  int64_t storage_helper_idle_timeout_ns = int64_t{600} * 1'000'000'000;
  // Words run before a gcc or clang where ddcc runs it for the compile itself (a miss, a call it
  // does not cache): distcc or icecc, sending misses to a build farm.
  std::vector<std::string> prefix_command;
  std::string config_path;
  // For the log: settings ignored (see docs/configuration.md, sharing a cache).
  std::vector<std::string> warnings;

  // For --show-config: key, value as text, origin ("default", the config file's path, or the
  // environment variable's name), in a stable order.
  struct Shown {
    std::string key, value, origin;
  };
  std::vector<Shown> shown;
};

absl::StatusOr<Config> LoadConfig(const EnvLookup& env);

// What the local store is to keep to, as `config` says.
StoreSettings StoreSettingsOf(const Config& config);

// The cache directory the environment names (DDCC_DIR, SCCACHE_DIR, XDG_CACHE_HOME, HOME), before
// any config file; empty when none. Lets a bad config file still be counted in the statistics.
std::string CacheDirFromEnv(const EnvLookup& env);

// "10G" (10^9 units: k M G T), "10GiB"/"10Gi" (2^30 units: Ki Mi Gi Ti), "10B" or "10 bytes";
// a plain number is in G, as ccache reads it. With binary_units, k M G T mean 2^10... and a
// plain number is bytes, as sccache reads SCCACHE_CACHE_SIZE.
absl::StatusOr<uint64_t> ParseSize(absl::string_view text, bool binary_units = false);
std::string FormatSize(uint64_t bytes);

// "7d", "12h", "30m", "45s", or a plain number of seconds; in nanoseconds.
absl::StatusOr<int64_t> ParseAge(absl::string_view text);

// Sets key = value in the config file, keeping its other lines; written atomically.
absl::Status SetConfigValue(const std::string& config_path, absl::string_view key,
                            absl::string_view value);

}  // namespace ddcc
