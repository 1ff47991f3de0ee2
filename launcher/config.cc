#include "launcher/config.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <utility>
#include <vector>

#include "absl/algorithm/container.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "cache/util/files.h"
#include "launcher/aws_settings.h"

namespace ddcc {
namespace {

constexpr int kMinCompressionLevel = -5;
constexpr int kMaxCompressionLevel = 19;

// Environment variables that override one config file key each. DDCC_DIR and the SCCACHE_*
// fallbacks are handled on their own.
constexpr std::pair<const char*, const char*> kEnvKeys[] = {
    {"DDCC_MAXSIZE", "max_size"},
    {"DDCC_MAXFILES", "max_files"},
    {"DDCC_DISABLE", "disable"},
    {"DDCC_RECACHE", "recache"},
    {"DDCC_LOGFILE", "log_file"},
    {"DDCC_COMPRESSION_LEVEL", "compression_level"},
    {"DDCC_COMPILERCHECK", "compiler_check"},
    {"DDCC_DIRECT_MODE", "direct_mode"},
    {"DDCC_DEPEND", "depend_mode"},
    {"DDCC_SLOPPINESS", "sloppiness"},
    {"DDCC_DEBUG", "debug"},
    {"DDCC_UMASK", "umask"},
    {"DDCC_BASEDIR", "base_dir"},
    {"DDCC_REMOTE_STORAGE", "remote_storage"},
    {"DDCC_STORAGE_HELPER", "storage_helper"},
    {"DDCC_STORAGE_HELPER_IDLE_TIMEOUT", "storage_helper_idle_timeout"},
    {"DDCC_PREFIX", "prefix_command"},
};

// Key -> where its value came from; a key not in it has its default.
using Origins = std::map<std::string, std::string>;

absl::string_view Trim(absl::string_view text) {
  constexpr absl::string_view kSpace = " \t\r\f\v";
  size_t begin = text.find_first_not_of(kSpace);
  if (begin == absl::string_view::npos) return {};
  return text.substr(begin, text.find_last_not_of(kSpace) - begin + 1);
}

// The lines of a text file, without their newlines.
std::vector<absl::string_view> Lines(absl::string_view text) {
  std::vector<absl::string_view> lines;
  while (!text.empty()) {
    size_t newline = text.find('\n');
    lines.push_back(text.substr(0, newline));
    text.remove_prefix(newline == absl::string_view::npos ? text.size() : newline + 1);
  }
  return lines;
}

// Booleans are exactly "1", "true", "yes" or "0", "false", "no", "" (so DDCC_DISABLE= is false);
// anything else is a mistake worth reporting rather than guessing at.
absl::StatusOr<bool> ParseBool(absl::string_view text) {
  if (text == "1" || text == "true" || text == "yes") return true;
  if (text == "0" || text == "false" || text == "no" || text.empty()) return false;
  return absl::InvalidArgumentError(
      absl::StrFormat("\"%s\" is not a boolean (1, true, yes, 0, false, no or empty)", text));
}

// An octal umask such as 002 or 0027; empty means unset.
absl::StatusOr<std::optional<mode_t>> ParseUmask(absl::string_view text) {
  if (text.empty()) return std::nullopt;
  mode_t mask = 0;
  bool octal = true;
  for (char c : text) {
    // Stopping past 0777 keeps the number from overflowing.
    octal = octal && c >= '0' && c <= '7' && mask <= 0777;
    if (octal) mask = mask * 8 + (c - '0');
  }
  if (!octal || mask > 0777) {
    return absl::InvalidArgumentError(
        absl::StrFormat("umask \"%s\" is not an octal number up to 777", text));
  }
  return mask;
}

// "dir1:dir2": absolute directories, trailing slashes dropped ("/" stays itself).
absl::StatusOr<std::vector<std::string>> ParseBaseDirs(absl::string_view text) {
  std::vector<std::string> dirs;
  for (absl::string_view dir : absl::StrSplit(text, ':', absl::SkipEmpty())) {
    if (dir[0] != '/') {
      return absl::InvalidArgumentError(
          absl::StrFormat("base_dir \"%s\" is not an absolute path", dir));
    }
    // Spelt as paths are compared with it ($PWD/.. for the checkouts beside the build's).
    std::string normal = std::filesystem::path(std::string(dir)).lexically_normal().string();
    while (normal.size() > 1 && normal.back() == '/') normal.pop_back();
    dirs.push_back(std::move(normal));
  }
  return dirs;
}

// Sets one config file key from its text.
absl::Status ApplyValue(Config& config, absl::string_view key, absl::string_view value) {
  if (key == "cache_dir") {
    if (value.empty()) return absl::InvalidArgumentError("cache_dir must not be empty");
    config.cache_dir = std::string(value);
  } else if (key == "max_size") {
    absl::StatusOr<uint64_t> size = ParseSize(value);
    if (!size.ok()) return size.status();
    config.max_size = *size;
  } else if (key == "max_files") {
    auto [end, error] =
        std::from_chars(value.data(), value.data() + value.size(), config.max_files);
    if (error != std::errc() || end != value.data() + value.size() || value.empty()) {
      return absl::InvalidArgumentError(
          absl::StrFormat("max_files \"%s\" is not a number of files", value));
    }
  } else if (key == "disable" || key == "recache" || key == "direct_mode" || key == "depend_mode" ||
             key == "debug" || key == "storage_helper") {
    absl::StatusOr<bool> flag = ParseBool(value);
    if (!flag.ok()) return flag.status();
    (key == "disable"       ? config.disable
     : key == "recache"     ? config.recache
     : key == "direct_mode" ? config.direct_mode
     : key == "depend_mode" ? config.depend_mode
     : key == "debug"       ? config.debug
                            : config.storage_helper) = *flag;
  } else if (key == "sloppiness") {
    // Only one kind so far; a list keeps ccache's spellings (`a, b`, `a b`) working. Other
    // kinds are passed over, as ccache passes over those it does not know: a config written for
    // ccache (include_file_mtime, ...) asks for a looser cache, never a different one.
    config.sloppy_time_macros = false;
    for (absl::string_view item :
         absl::StrSplit(value, absl::ByAnyChar(", \t"), absl::SkipEmpty())) {
      config.sloppy_time_macros |= item == "time_macros";
    }
  } else if (key == "base_dir") {
    absl::StatusOr<std::vector<std::string>> dirs = ParseBaseDirs(value);
    if (!dirs.ok()) return dirs.status();
    config.base_dirs = *std::move(dirs);
  } else if (key == "remote_storage") {
    absl::StatusOr<std::vector<RemoteSpec>> remotes = ParseRemoteStorage(value);
    if (!remotes.ok()) return remotes.status();
    config.remote_storage = *std::move(remotes);
  } else if (key == "storage_helper_idle_timeout") {
    absl::StatusOr<int64_t> age = ParseAge(value);
    if (!age.ok()) return age.status();
    config.storage_helper_idle_timeout_ns = *age;
  } else if (key == "prefix_command") {
    config.prefix_command = absl::StrSplit(value, ' ', absl::SkipWhitespace());
  } else if (key == "log_file") {
    config.log_file = std::string(value);
  } else if (key == "compression_level") {
    int level = 0;
    auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), level);
    if (error != std::errc() || end != value.data() + value.size() ||
        level < kMinCompressionLevel || level > kMaxCompressionLevel) {
      return absl::InvalidArgumentError(
          absl::StrFormat("compression level \"%s\" is not an integer from %d to %d", value,
                          kMinCompressionLevel, kMaxCompressionLevel));
    }
    config.compression_level = level;
  } else if (key == "umask") {
    absl::StatusOr<std::optional<mode_t>> mask = ParseUmask(value);
    if (!mask.ok()) return mask.status();
    config.umask = *mask;
  } else if (key == "compiler_check") {
    if (value != "mtime" && value != "content") {
      return absl::InvalidArgumentError(
          absl::StrFormat("compiler_check \"%s\" is neither mtime nor content", value));
    }
    config.compiler_check = std::string(value);
  } else {
    return absl::InvalidArgumentError(absl::StrFormat("unknown key \"%s\"", key));
  }
  return absl::OkStatus();
}

// The key of a `key = value` line; empty for blank lines, comments and lines without '='.
absl::string_view KeyOf(absl::string_view line) {
  line = Trim(line);
  size_t equals = line.find('=');
  if (line.empty() || line[0] == '#' || equals == absl::string_view::npos) return {};
  return Trim(line.substr(0, equals));
}

// Settings naming a path ddcc writes to or a command it runs.
constexpr absl::string_view kOwnerOnlyKeys[] = {"cache_dir", "log_file", "prefix_command"};

// Whether someone else than this user (or root) may have written the file: in a cache shared by
// a group, any member can edit its ddcc.conf.
bool OthersMayWrite(const struct stat& st) {
  return (st.st_uid != geteuid() && st.st_uid != 0) || (st.st_mode & (S_IWGRP | S_IWOTH)) != 0;
}

absl::Status ApplyConfigFile(const std::string& path, bool allow_cache_dir, Config& config,
                             Origins& origins) {
  ScopedFd fd(open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC));
  if (fd.get() < 0 && (errno == ENOENT || errno == ENOTDIR)) return absl::OkStatus();
  if (fd.get() < 0) return ErrnoStatus("open", path);
  struct stat st;
  if (fstat(fd.get(), &st) != 0) return ErrnoStatus("fstat", path);
  absl::StatusOr<std::string> text = ReadRegular(fd.get(), path);
  if (!text.ok()) return text.status();
  const bool others_may_write = OthersMayWrite(st);
  int line_number = 0;
  for (absl::string_view line : Lines(*text)) {
    ++line_number;
    line = Trim(line);
    if (line.empty() || line[0] == '#') continue;
    auto error = [&](absl::string_view message) {
      return absl::InvalidArgumentError(absl::StrFormat("%s:%d: %s", path, line_number, message));
    };
    size_t equals = line.find('=');
    if (equals == absl::string_view::npos) return error("expected key = value");
    absl::string_view key = Trim(line.substr(0, equals));
    absl::string_view value = Trim(line.substr(equals + 1));
    if (key == "cache_dir" && !allow_cache_dir) {
      return error(
          "cache_dir can be set only in a file named by DDCC_CONFIG: this file is found in the "
          "cache directory");
    }
    if (others_may_write && absl::c_linear_search(kOwnerOnlyKeys, key)) {
      // Else a member of the group could make everyone's ddcc append to a file of theirs, or
      // run a program of theirs.
      config.warnings.push_back(absl::StrFormat(
          "%s:%d: %s ignored: other users may write this file", path, line_number, key));
      continue;
    }
    if (absl::Status status = ApplyValue(config, key, value); !status.ok()) {
      return error(std::string(status.message()));
    }
    origins[std::string(key)] = path;
  }
  return absl::OkStatus();
}

// The variable's value; nullopt when unset, or when empty if empty_is_unset.
std::optional<std::string> GetEnv(const EnvLookup& env, const char* name,
                                  bool empty_is_unset = false) {
  const char* value = env(name);
  if (value == nullptr || (empty_is_unset && *value == '\0')) return std::nullopt;
  return std::string(value);
}

}  // namespace

std::string CacheDirFromEnv(const EnvLookup& env) {
  // An empty variable counts as unset: it cannot name a usable directory.
  for (const char* name : {"DDCC_DIR", "SCCACHE_DIR"}) {
    if (std::optional<std::string> dir = GetEnv(env, name, true)) return *dir;
  }
  if (std::optional<std::string> xdg = GetEnv(env, "XDG_CACHE_HOME", true)) return *xdg + "/ddcc";
  if (std::optional<std::string> home = GetEnv(env, "HOME", true)) return *home + "/.cache/ddcc";
  return "";
}

StoreSettings StoreSettingsOf(const Config& config) {
  return {.max_size = config.max_size,
          .max_files = config.max_files,
          .compression_level = config.compression_level,
          .umask = config.umask};
}

absl::StatusOr<Config> LoadConfig(const EnvLookup& env) {
  Config config;
  Origins origins;

  // DDCC_DIR (else SCCACHE_DIR) is read first, as the cache directory holds the default config
  // file, and applied again after the file, which it overrides.
  const char* dir_variable = nullptr;
  std::optional<std::string> env_dir;
  for (const char* name : {"DDCC_DIR", "SCCACHE_DIR"}) {
    if ((env_dir = GetEnv(env, name, true))) {
      dir_variable = name;
      break;
    }
  }
  config.cache_dir = CacheDirFromEnv(env);

  std::optional<std::string> explicit_config = GetEnv(env, "DDCC_CONFIG", true);
  if (explicit_config) {
    config.config_path = *explicit_config;
    origins["config_path"] = "DDCC_CONFIG";
  } else if (!config.cache_dir.empty()) {
    config.config_path = config.cache_dir + "/ddcc.conf";
  }
  if (!config.config_path.empty()) {
    absl::Status status =
        ApplyConfigFile(config.config_path, explicit_config.has_value(), config, origins);
    if (!status.ok()) return status;
  }

  // The environment overrides the file.
  if (env_dir) {
    config.cache_dir = *env_dir;
    origins["cache_dir"] = dir_variable;
  }
  if (config.cache_dir.empty()) {
    return absl::FailedPreconditionError(
        "no cache directory: set DDCC_DIR, XDG_CACHE_HOME or HOME");
  }
  for (const auto& [name, key] : kEnvKeys) {
    std::optional<std::string> value = GetEnv(env, name);
    if (!value) continue;
    if (absl::Status status = ApplyValue(config, key, *value); !status.ok()) {
      return absl::InvalidArgumentError(absl::StrFormat("%s: %s", name, status.message()));
    }
    origins[std::string(key)] = name;
  }
  // sccache's S3 variables stand in for an unset remote_storage, as SCCACHE_DIR does for
  // cache_dir.
  if (origins.count("remote_storage") == 0) {
    if (std::optional<std::string> s3 = SccacheS3Storage(env)) {
      if (absl::Status status = ApplyValue(config, "remote_storage", *s3); !status.ok()) {
        return absl::InvalidArgumentError(absl::StrCat("SCCACHE_BUCKET: ", status.message()));
      }
      origins["remote_storage"] = "SCCACHE_BUCKET";
    }
  }
  // Bad credentials cost the remote (its requests are refused and logged), not the cache.
  if (absl::Status status = AddAwsCredentials(config.remote_storage, env); !status.ok()) {
    config.warnings.push_back(std::string(status.message()));
  }
  // sccache reads its size with binary units.
  std::optional<std::string> sccache_size = GetEnv(env, "SCCACHE_CACHE_SIZE");
  if (sccache_size && !GetEnv(env, "DDCC_MAXSIZE")) {
    absl::StatusOr<uint64_t> size = ParseSize(*sccache_size, /*binary_units=*/true);
    if (!size.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("SCCACHE_CACHE_SIZE: ", size.status().message()));
    }
    config.max_size = *size;
    origins["max_size"] = "SCCACHE_CACHE_SIZE";
  }

  // sccache's server stops after SCCACHE_IDLE_TIMEOUT seconds; so does the storage helper.
  std::optional<std::string> sccache_idle = GetEnv(env, "SCCACHE_IDLE_TIMEOUT");
  if (sccache_idle && origins.count("storage_helper_idle_timeout") == 0) {
    if (absl::Status status = ApplyValue(config, "storage_helper_idle_timeout", *sccache_idle);
        !status.ok()) {
      return absl::InvalidArgumentError(absl::StrCat("SCCACHE_IDLE_TIMEOUT: ", status.message()));
    }
    origins["storage_helper_idle_timeout"] = "SCCACHE_IDLE_TIMEOUT";
  }

  auto show = [&](const std::string& key, std::string value) {
    auto origin = origins.find(key);
    config.shown.push_back(
        {key, std::move(value), origin == origins.end() ? "default" : origin->second});
  };
  show("cache_dir", config.cache_dir);
  show("config_path", config.config_path);
  show("max_size", FormatSize(config.max_size));
  show("max_files", absl::StrCat(config.max_files));
  show("disable", config.disable ? "true" : "false");
  show("recache", config.recache ? "true" : "false");
  show("log_file", config.log_file);
  show("compression_level", absl::StrCat(config.compression_level));
  show("compiler_check", config.compiler_check);
  show("direct_mode", config.direct_mode ? "true" : "false");
  show("depend_mode", config.depend_mode ? "true" : "false");
  show("sloppiness", config.sloppy_time_macros ? "time_macros" : "");
  show("debug", config.debug ? "true" : "false");
  show("umask", config.umask ? absl::StrFormat("%03o", *config.umask) : "");
  show("base_dir", absl::StrJoin(config.base_dirs, ":"));
  show("remote_storage", ShowRemoteStorage(config.remote_storage));
  show("storage_helper", config.storage_helper ? "true" : "false");
  show("storage_helper_idle_timeout",
       absl::StrCat(config.storage_helper_idle_timeout_ns / 1'000'000'000, "s"));
  show("prefix_command", absl::StrJoin(config.prefix_command, " "));
  return config;
}

absl::StatusOr<uint64_t> ParseSize(absl::string_view text, bool binary_units) {
  auto bad_size = [text] {
    return absl::InvalidArgumentError(absl::StrFormat("bad size \"%s\"", text));
  };
  // 128 bits hold any product of a 64-bit number and a unit, so overflow is checked once.
  using Wide = unsigned __int128;
  size_t i = 0;
  Wide whole = 0;
  for (; i < text.size() && absl::ascii_isdigit(text[i]); ++i) {
    whole = whole * 10 + (text[i] - '0');
    if (whole > UINT64_MAX) return bad_size();
  }
  if (i == 0) return bad_size();
  uint64_t fraction = 0, fraction_scale = 1;
  if (i < text.size() && text[i] == '.') {
    const size_t first_digit = ++i;
    for (; i < text.size() && absl::ascii_isdigit(text[i]); ++i) {
      // Digits beyond the 18th cannot change the result by a byte.
      if (fraction_scale < 1'000'000'000'000'000'000) {
        fraction = fraction * 10 + (text[i] - '0');
        fraction_scale *= 10;
      }
    }
    if (i == first_digit) return bad_size();
  }
  while (i < text.size() && text[i] == ' ') ++i;

  std::string unit(text.substr(i));
  for (char& c : unit) c = absl::ascii_tolower(c);
  uint64_t multiplier = 1;
  if (unit.empty() && !binary_units) {
    multiplier = 1'000'000'000;  // as ccache reads a plain number: G
  } else if (unit != "" && unit != "b" && unit != "bytes") {
    static constexpr absl::string_view kPrefixes = "kmgt";
    size_t power = kPrefixes.find(unit[0]);
    absl::string_view rest = absl::string_view(unit).substr(1);
    uint64_t base;
    if (power == absl::string_view::npos) return bad_size();
    if (rest == "i" || rest == "ib") {
      base = 1024;
    } else if (rest == "" || rest == "b") {
      base = binary_units ? 1024 : 1000;
    } else {
      return bad_size();
    }
    for (size_t p = 0; p <= power; ++p) multiplier *= base;
  }
  if (multiplier == 1 && fraction_scale > 1) return bad_size();  // a fraction of a byte

  Wide total = whole * multiplier + Wide{fraction} * multiplier / fraction_scale;
  if (total > UINT64_MAX) return bad_size();
  return static_cast<uint64_t>(total);
}

std::string FormatSize(uint64_t bytes) {
  if (bytes < 1024) return absl::StrCat(bytes, " bytes");
  static constexpr const char* kUnits[] = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
  double value = bytes / 1024.0;
  size_t unit = 0;
  // Move up a unit before rounding would show 1024.0.
  while (value >= 1023.95 && unit + 1 < std::size(kUnits)) {
    value /= 1024;
    ++unit;
  }
  return absl::StrFormat("%.1f %s", value, kUnits[unit]);
}

absl::Status SetConfigValue(const std::string& config_path, absl::string_view key,
                            absl::string_view value) {
  // Refuse what LoadConfig would reject: a bad file makes every compile run uncached.
  if (value.find_first_of("\r\n") != absl::string_view::npos) {
    return absl::InvalidArgumentError(absl::StrFormat("%s: a value must be a single line", key));
  }
  Config scratch;
  if (absl::Status status = ApplyValue(scratch, key, Trim(value)); !status.ok()) {
    return absl::InvalidArgumentError(absl::StrFormat("%s: %s", key, status.message()));
  }

  absl::StatusOr<std::string> old_text = ReadFile(config_path);
  if (!old_text.ok() && !absl::IsNotFound(old_text.status())) return old_text.status();
  absl::string_view old_lines = old_text.ok() ? absl::string_view(*old_text) : absl::string_view();
  std::string new_line = absl::StrFormat("%s = %s\n", key, value);
  std::string text;
  bool replaced = false;
  for (absl::string_view line : Lines(old_lines)) {
    if (KeyOf(line) == key) {
      // Later duplicates would override the new value, so they go.
      if (!replaced) text += new_line;
      replaced = true;
    } else {
      text.append(line.data(), line.size());
      text += '\n';
    }
  }
  if (!replaced) text += new_line;

  if (size_t slash = config_path.rfind('/'); slash != std::string::npos && slash > 0) {
    if (absl::Status status = MakeDirs(config_path.substr(0, slash)); !status.ok()) return status;
  }
  return WriteFileAtomic(config_path, text);
}

absl::StatusOr<int64_t> ParseAge(absl::string_view text) {
  int64_t unit_seconds = 1;
  if (!text.empty()) {
    switch (text.back()) {
      case 'd':
        unit_seconds = 86400;
        break;
      case 'h':
        unit_seconds = 3600;
        break;
      case 'm':
        unit_seconds = 60;
        break;
      case 's':
        break;
      default:
        unit_seconds = 0;
    }
    if (unit_seconds != 0) text.remove_suffix(1);
  }
  int64_t count = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), count);
  if (text.empty() || error != std::errc() || end != text.data() + text.size() || count < 0 ||
      count > INT64_MAX / 1'000'000'000 / std::max<int64_t>(unit_seconds, 1)) {
    return absl::InvalidArgumentError(
        absl::StrFormat("\"%s\" is not an age such as 7d, 12h, 30m or 45s", text));
  }
  return count * std::max<int64_t>(unit_seconds, 1) * 1'000'000'000;
}

}  // namespace ddcc
