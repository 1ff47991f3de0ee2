#include "launcher/cli.h"

#include <algorithm>
#include <cstdio>
#include <optional>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "cache/store/store.h"
#include "cache/util/files.h"
#include "cache/util/json.h"
#include "cache/util/log.h"
#include "launcher/explain.h"
#include "launcher/report.h"
#include "launcher/stats.h"
#include "launcher/storage_helper.h"

namespace ddcc {
namespace {

constexpr const char kUsage[] =
    R"(Usage:
    ddcc <compiler> [compiler options]   compile through the cache
    <compiler> [compiler options]        through a symlink named like the compiler
    ddcc [compiler options]              the same with the compiler cc
    ddcc <command>...

Commands:
    -s, --show-stats     show statistics (add --json for one JSON object)
    -z, --zero-stats     zero the statistics
    -C, --clear          remove every cached entry
        --cleanup        evict down to the size limit and recount the cache size
        --evict-older-than AGE   remove entries not used for AGE (7d, 12h, 30m, 45s)
        --max-size SIZE  set max_size in the config file (10G, 500M, 5Gi ...)
        --show-config    show each setting, its value, and where it came from
        --explain OBJECT why the last compile of OBJECT missed, or how it hit
        --report         the last build's calls: totals, and each miss slowest first
                         with why (add --json; --since AGE or TIME for another window;
                         --trace FILE.json for a Chrome trace of the build)
        --start-server   start the storage helper, which keeps remote connections open
                         (compiles start it themselves when it is not running)
        --stop-server    stop the storage helper once its uploads are done
        --version        show the version
    -h, --help           show this help

Configuration: DDCC_DIR, DDCC_MAXSIZE, DDCC_DISABLE, DDCC_RECACHE, DDCC_LOGFILE,
DDCC_COMPRESSION_LEVEL, DDCC_COMPILERCHECK, DDCC_CONFIG; see docs/configuration.md.
)";

// One line of the table: "  Hits:     5 /    10 (50.00%)", the share left out when there is
// no whole to take it of.
void PrintRow(int indent, absl::string_view label, uint64_t part, std::optional<uint64_t> whole) {
  std::string line = absl::StrFormat("%*s%s:", indent, "", label);
  absl::StrAppendFormat(&line, "%*s%8d", std::max(0, 34 - static_cast<int>(line.size())), "", part);
  if (whole) {
    absl::StrAppendFormat(&line, " / %8d", *whole);
    if (*whole > 0) absl::StrAppendFormat(&line, " (%.2f%%)", 100.0 * part / *whole);
  }
  std::printf("%s\n", line.c_str());
}

void PrintStatsText(const Config& config, const StatsSnapshot& s, const StoreUsage& usage) {
  uint64_t cacheable = s.Hits() + s.misses;
  uint64_t calls = cacheable + s.UncacheableTotal();
  std::printf("Cache directory:  %s\n", config.cache_dir.c_str());
  std::printf("Config file:      %s\n", config.config_path.c_str());
  PrintRow(0, "Cacheable calls", cacheable, calls);
  PrintRow(2, "Hits", s.Hits(), cacheable);
  PrintRow(4, "Direct", s.direct_hits, s.Hits());
  PrintRow(4, "Preprocessed", s.preprocessed_hits, s.Hits());
  PrintRow(2, "Misses", s.misses, cacheable);
  std::printf("  Time saved:     %.1f s\n", s.time_saved_ms / 1000.0);
  // Only where more than one language was looked up, so a C-only cache reads as before.
  size_t languages_seen = 0;
  for (const auto& counts : s.languages) {
    languages_seen += counts.direct_hits + counts.preprocessed_hits + counts.misses > 0;
  }
  for (size_t i = 0; languages_seen > 1 && i < kLanguageCount; ++i) {
    const auto& counts = s.languages[i];
    const uint64_t hits = counts.direct_hits + counts.preprocessed_hits;
    if (hits + counts.misses == 0) continue;
    PrintRow(2, absl::StrCat(LabelOf(static_cast<Language>(i)).title, " hits"), hits,
             hits + counts.misses);
  }
  PrintRow(0, "Uncacheable calls", s.UncacheableTotal(), calls);
  for (size_t i = 0; i < kUncacheableCount; ++i) {
    if (s.uncacheable[i] == 0) continue;
    PrintRow(2, LabelOf(static_cast<Uncacheable>(i)).title, s.uncacheable[i], s.UncacheableTotal());
  }
  PrintRow(0, "Errors", s.ErrorTotal(), std::nullopt);
  for (size_t i = 0; i < kErrorKindCount; ++i) {
    if (s.errors[i] == 0) continue;
    PrintRow(2, LabelOf(static_cast<ErrorKind>(i)).title, s.errors[i], std::nullopt);
  }
  std::printf("Local storage:\n");
  std::printf("  Cache size:     %s / %s", FormatSize(usage.size_bytes).c_str(),
              FormatSize(config.max_size).c_str());
  if (config.max_size > 0) std::printf(" (%.2f%%)", 100.0 * usage.size_bytes / config.max_size);
  std::printf("\n");
  PrintRow(2, "Files", usage.files, std::nullopt);
  // Only where remotes are in use, so a setup without them reads as before.
  const uint64_t lookups = s.remote_hits + s.remote_misses;
  if (!config.remote_storage.empty() || lookups + s.remote_errors + s.remote_timeouts > 0) {
    std::printf("Remote storage:\n");
    PrintRow(2, "Hits", s.remote_hits, lookups);
    PrintRow(2, "Misses", s.remote_misses, lookups);
    PrintRow(2, "Errors", s.remote_errors, std::nullopt);
    PrintRow(2, "Timeouts", s.remote_timeouts, std::nullopt);
  }
}

void PrintStatsJson(const Config& config, const StatsSnapshot& s, const StoreUsage& usage) {
  std::string json = absl::StrCat(
      "{\"cache_directory\": ", JsonString(config.cache_dir), ", \"cache_hits\": ", s.Hits(),
      ", \"direct_hits\": ", s.direct_hits, ", \"preprocessed_hits\": ", s.preprocessed_hits,
      ", \"cache_misses\": ", s.misses,
      absl::StrFormat(", \"time_saved_seconds\": %.3f", s.time_saved_ms / 1000.0),
      ", \"uncacheable_calls\": ", s.UncacheableTotal(), ", \"errors\": ", s.ErrorTotal(),
      ", \"files\": ", usage.files, ", \"size_bytes\": ", usage.size_bytes,
      ", \"max_size_bytes\": ", config.max_size, ", \"max_files\": ", config.max_files,
      ", \"remote_hits\": ", s.remote_hits, ", \"remote_misses\": ", s.remote_misses,
      ", \"remote_errors\": ", s.remote_errors, ", \"remote_timeouts\": ", s.remote_timeouts,
      ", \"uncacheable_reasons\": {");
  for (size_t i = 0; i < kUncacheableCount; ++i) {
    absl::StrAppend(&json, i ? ", " : "", "\"", LabelOf(static_cast<Uncacheable>(i)).key,
                    "\": ", s.uncacheable[i]);
  }
  absl::StrAppend(&json, "}, \"languages\": {");
  for (size_t i = 0; i < kLanguageCount; ++i) {
    const auto& counts = s.languages[i];
    absl::StrAppend(&json, i ? ", " : "", "\"", LabelOf(static_cast<Language>(i)).key,
                    "\": {\"direct_hits\": ", counts.direct_hits,
                    ", \"preprocessed_hits\": ", counts.preprocessed_hits,
                    ", \"cache_misses\": ", counts.misses, "}");
  }
  absl::StrAppend(&json, "}, \"error_reasons\": {");
  for (size_t i = 0; i < kErrorKindCount; ++i) {
    absl::StrAppend(&json, i ? ", " : "", "\"", LabelOf(static_cast<ErrorKind>(i)).key,
                    "\": ", s.errors[i]);
  }
  std::printf("%s}}\n", json.c_str());
}

int Fail(const absl::Status& status) {
  std::fprintf(stderr, "ddcc: %s\n", std::string(status.message()).c_str());
  return 1;
}

// What every command works on.
struct CommandContext {
  const Config& config;
  LocalStore& store;
  const EnvLookup& env;
  // Options that shape the commands, wherever they stand on the line.
  bool json = false;                 // --json: --show-stats and --report
  std::optional<std::string> since;  // --since AGE: --report
  std::string trace;                 // --trace FILE: --report
};

int ShowStats(CommandContext& c, const std::string&) {
  absl::StatusOr<StoreUsage> usage = c.store.Usage();
  if (!usage.ok()) usage = StoreUsage{};  // a cache not created yet is empty
  StatsSnapshot snapshot = Stats(c.config.cache_dir).Read();
  c.json ? PrintStatsJson(c.config, snapshot, *usage) : PrintStatsText(c.config, snapshot, *usage);
  return 0;
}

int ZeroStats(CommandContext& c, const std::string&) {
  if (absl::Status zeroed = Stats(c.config.cache_dir).Zero(); !zeroed.ok()) return Fail(zeroed);
  // Where the last build starts for --report.
  const ExplainRecord marker = ZeroMarker(NowNs());
  if (absl::Status saved =
          AppendRecord(c.store, ExplainKey(""), marker, c.config.compression_level);
      !saved.ok()) {
    std::fprintf(stderr, "ddcc: --report will not know of this: %s\n",
                 std::string(saved.message()).c_str());
  }
  std::printf("Statistics zeroed\n");
  return 0;
}

int Clear(CommandContext& c, const std::string&) {
  if (absl::Status cleared = c.store.Clear(); !cleared.ok()) return Fail(cleared);
  std::printf("Cleared the cache\n");
  return 0;
}

int Cleanup(CommandContext& c, const std::string&) {
  if (absl::Status cleaned = c.store.Cleanup(); !cleaned.ok()) return Fail(cleaned);
  std::printf("Cleaned up the cache\n");
  return 0;
}

int EvictOlderThan(CommandContext& c, const std::string& value) {
  absl::StatusOr<int64_t> age = ParseAge(value);
  if (!age.ok()) return Fail(age.status());
  if (absl::Status cleaned = c.store.Cleanup(NowNs() - *age); !cleaned.ok()) return Fail(cleaned);
  std::printf("Evicted entries not used for %s\n", value.c_str());
  return 0;
}

int MaxSize(CommandContext& c, const std::string& value) {
  absl::StatusOr<uint64_t> size = ParseSize(value);
  if (!size.ok()) return Fail(size.status());
  absl::Status set = SetConfigValue(c.config.config_path, "max_size", value);
  if (!set.ok()) return Fail(set);
  std::printf("Set cache size limit to %s\n", FormatSize(*size).c_str());
  return 0;
}

int ShowConfig(CommandContext& c, const std::string&) {
  for (const std::string& warning : c.config.warnings) {
    std::fprintf(stderr, "ddcc: %s\n", warning.c_str());
  }
  for (const Config::Shown& shown : c.config.shown) {
    std::printf("(%s) %s = %s\n", shown.origin.c_str(), shown.key.c_str(), shown.value.c_str());
  }
  return 0;
}

int Explain(CommandContext& c, const std::string& object) {
  return ExplainObject(c.config, object);
}

int ShowReport(CommandContext& c, const std::string&) {
  ReportWindow window;
  window.now_ns = NowNs();
  if (const char* build_id = c.env("DDCC_BUILD_ID"); build_id && *build_id)
    window.build_id = build_id;
  if (c.since) {
    absl::StatusOr<int64_t> since = ParseSince(*c.since, window.now_ns);
    if (!since.ok()) return Fail(since.status());
    window.since_ns = *since;
  }
  return PrintReport(c.config, window, c.json, c.trace);
}

int Version(CommandContext&, const std::string&) {
  std::printf("ddcc %s\n", DDCC_VERSION);
  return 0;
}

int Help(CommandContext&, const std::string&) {
  std::fputs(kUsage, stdout);
  return 0;
}

// --json, --since and --trace only shape other commands.
int Nothing(CommandContext&, const std::string&) { return 0; }

int StartServer(CommandContext& c, const std::string&) {
  return StartStorageHelper(c.config, c.env);
}

int StopServer(CommandContext& c, const std::string&) { return StopStorageHelper(c.config, c.env); }

// Not in the usage: how a compile starts the helper (launcher/storage_helper.h).
int StorageHelper(CommandContext& c, const std::string& socket) {
  OpenLog(c.config.log_file);
  return RunStorageHelper(c.config, c.env, socket);
}

struct Command {
  absl::string_view short_name;  // empty when there is none
  absl::string_view name;
  absl::string_view value;  // what the command needs after it ("an age"); empty for nothing
  int (*run)(CommandContext&, const std::string& value);
};

constexpr Command kCommands[] = {
    {"-s", "--show-stats", "", ShowStats},
    {"-z", "--zero-stats", "", ZeroStats},
    {"-C", "--clear", "", Clear},
    {"", "--cleanup", "", Cleanup},
    {"", "--evict-older-than", "an age", EvictOlderThan},
    {"", "--max-size", "a size", MaxSize},
    {"", "--show-config", "", ShowConfig},
    {"", "--explain", "an object", Explain},
    {"", "--report", "", ShowReport},
    {"", "--since", "an age or a time", Nothing},
    {"", "--trace", "a file", Nothing},
    {"", "--start-server", "", StartServer},
    {"", "--stop-server", "", StopServer},
    {"", "--storage-helper", "a socket", StorageHelper},
    {"", "--json", "", Nothing},
    {"", "--version", "", Version},
    {"-h", "--help", "", Help},
};

// The command `arg` names, and the value it carries after '=' (--max-size=10G), if any.
const Command* FindCommand(absl::string_view arg, std::optional<std::string>* inline_value) {
  for (const Command& command : kCommands) {
    if (arg == command.name || (!command.short_name.empty() && arg == command.short_name)) {
      return &command;
    }
    if (!command.value.empty() && absl::StartsWith(arg, command.name) &&
        arg.size() > command.name.size() && arg[command.name.size()] == '=') {
      if (inline_value) *inline_value = std::string(arg.substr(command.name.size() + 1));
      return &command;
    }
  }
  return nullptr;
}

}  // namespace

bool IsCommandOption(const std::string& arg) { return FindCommand(arg, nullptr) != nullptr; }

int RunCommands(const std::vector<std::string>& args, const EnvLookup& env) {
  absl::StatusOr<Config> config = LoadConfig(env);
  if (!config.ok()) return Fail(config.status());
  // Any command may be the first to create the cache directory, its counters or config file;
  // all of them must come out as the cache's umask makes entries (a group cache wants 002).
  ScopedUmask cache_umask(config->umask);
  LocalStore store(config->cache_dir, StoreSettingsOf(*config));
  CommandContext context{.config = *config, .store = store, .env = env, .since = {}, .trace = {}};

  std::vector<std::pair<const Command*, std::string>> commands;
  for (size_t i = 0; i < args.size(); ++i) {
    std::optional<std::string> value;
    const Command* command = FindCommand(args[i], &value);
    if (command == nullptr) {
      std::fputs(kUsage, stderr);
      return Fail(absl::InvalidArgumentError(absl::StrCat("unknown command ", args[i])));
    }
    if (!command->value.empty() && !value) {
      if (i + 1 >= args.size()) {
        return Fail(
            absl::InvalidArgumentError(absl::StrCat(command->name, " needs ", command->value)));
      }
      value = args[++i];
    }
    if (command->name == "--json") context.json = true;
    if (command->name == "--since") context.since = value;
    if (command->name == "--trace") context.trace = *value;
    commands.emplace_back(command, value.value_or(""));
  }
  for (const auto& [command, value] : commands) {
    if (int status = command->run(context, value); status != 0) return status;
  }
  return 0;
}

}  // namespace ddcc
