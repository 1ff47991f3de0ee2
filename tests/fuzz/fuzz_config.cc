// Fuzzes the configuration (launcher/config.h): LoadConfig reading a config file and environment
// variables, SetConfigValue rewriting the file, and ParseSize. The input is the config file's
// text, then NUL-separated NAME=value environment variables. DDCC_CONFIG always names the file
// the input was written to, so no input can make it read another.
#include <stdlib.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "cache/util/files.h"
#include "launcher/config.h"

namespace {

std::string temp_dir;

void RemoveTempDir() {
  unlink((temp_dir + "/ddcc.conf").c_str());
  rmdir(temp_dir.c_str());
}

void CheckSize(absl::string_view text) {
  for (bool binary_units : {false, true}) {
    absl::StatusOr<uint64_t> size = ddcc::ParseSize(text, binary_units);
    if (!size.ok()) continue;
    ddcc::FormatSize(*size);
    // A number of bytes (B: a plain number is G as ccache reads it) reads back as itself.
    absl::StatusOr<uint64_t> again = ddcc::ParseSize(absl::StrCat(*size, "B"), binary_units);
    if (!again.ok() || *again != *size) abort();
  }
}

// What the config says max_size is and where that came from.
const ddcc::Config::Shown& MaxSize(const ddcc::Config& config) {
  for (const ddcc::Config::Shown& shown : config.shown) {
    if (shown.key == "max_size") return shown;
  }
  abort();
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  // Each run rewrites the file: in memory (/dev/shm) that is many times faster than on a disk.
  for (std::string dir : {"/dev/shm/ddcc-fuzz-config-XXXXXX", "/tmp/ddcc-fuzz-config-XXXXXX"}) {
    if (mkdtemp(dir.data()) != nullptr) {
      temp_dir = dir;
      break;
    }
  }
  if (temp_dir.empty()) abort();
  atexit(RemoveTempDir);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  absl::string_view input(reinterpret_cast<const char*>(data), size);
  std::vector<absl::string_view> parts = absl::StrSplit(input, absl::string_view("\0", 1));
  const std::string path = temp_dir + "/ddcc.conf";
  std::map<std::string, std::string> env = {{"DDCC_CONFIG", path}};
  for (size_t i = 1; i < parts.size(); ++i) {
    std::vector<std::string> pair = absl::StrSplit(parts[i], absl::MaxSplits('=', 1));
    if (pair.size() == 2 && pair[0] != "DDCC_CONFIG") env[pair[0]] = pair[1];
  }
  ddcc::EnvLookup lookup = [&env](const char* name) -> const char* {
    auto it = env.find(name);
    return it == env.end() ? nullptr : it->second.c_str();
  };
  if (!ddcc::WriteFileAtomic(path, parts[0]).ok()) abort();

  CheckSize(parts[0]);
  for (const auto& [name, value] : env) CheckSize(value);

  absl::StatusOr<ddcc::Config> config = ddcc::LoadConfig(lookup);
  if (!config.ok()) return 0;
  if (config->compression_level < -5 || config->compression_level > 19) abort();
  if (config->compiler_check != "mtime" && config->compiler_check != "content") abort();
  if (config->cache_dir.empty()) abort();

  // `ddcc --max-size` on a good file keeps it good, and takes effect unless the environment
  // overrides it.
  if (!ddcc::SetConfigValue(path, "max_size", "1G").ok()) abort();
  absl::StatusOr<ddcc::Config> changed = ddcc::LoadConfig(lookup);
  if (!changed.ok()) abort();
  if (MaxSize(*changed).origin == path && changed->max_size != 1'000'000'000) abort();
  if (MaxSize(*config).origin != MaxSize(*changed).origin && MaxSize(*changed).origin != path) {
    abort();
  }
  return 0;
}
