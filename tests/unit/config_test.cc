#include "launcher/config.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <map>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "cache/util/files.h"
#include "tests/unit/temp_dir_test.h"

namespace ddcc {
namespace {

using ::testing::HasSubstr;

class ConfigTest : public TempDirTest {
 protected:
  void SetUp() override {
    TempDirTest::SetUp();
    cache_dir_ = dir_ + "/cache";
    env_["DDCC_DIR"] = cache_dir_;
  }

  absl::StatusOr<Config> Load() {
    return LoadConfig([this](const char* name) -> const char* {
      auto it = env_.find(name);
      return it == env_.end() ? nullptr : it->second.c_str();
    });
  }

  Config LoadOrDie() {
    absl::StatusOr<Config> config = Load();
    EXPECT_TRUE(config.ok()) << config.status();
    return config.value_or(Config{});
  }

  void WriteConfig(const std::string& path, const std::string& text) {
    ASSERT_TRUE(MakeDirs(std::filesystem::path(path).parent_path()).ok());
    ASSERT_TRUE(WriteFileAtomic(path, text).ok());
  }

  // The shown value and origin of `key`.
  static std::pair<std::string, std::string> Shown(const Config& config, absl::string_view key) {
    for (const Config::Shown& shown : config.shown) {
      if (shown.key == key) return {shown.value, shown.origin};
    }
    ADD_FAILURE() << "not shown: " << key;
    return {};
  }

  std::string cache_dir_;
  std::map<std::string, std::string, std::less<>> env_;
};

TEST_F(ConfigTest, DefaultsUnderHome) {
  env_ = {{"HOME", "/home/u"}};
  Config config = LoadOrDie();
  EXPECT_EQ(config.cache_dir, "/home/u/.cache/ddcc");
  EXPECT_EQ(config.config_path, "/home/u/.cache/ddcc/ddcc.conf");
  EXPECT_EQ(config.max_size, 5ull << 30);
  EXPECT_FALSE(config.disable);
  EXPECT_FALSE(config.recache);
  EXPECT_EQ(config.log_file, "");
  EXPECT_EQ(config.compression_level, 1);
  EXPECT_EQ(config.compiler_check, "mtime");
  EXPECT_TRUE(config.direct_mode);
  EXPECT_FALSE(config.depend_mode);
  EXPECT_FALSE(config.sloppy_time_macros);

  std::vector<std::string> keys;
  for (const Config::Shown& shown : config.shown) {
    keys.push_back(shown.key);
    EXPECT_EQ(shown.origin, "default") << shown.key;
  }
  EXPECT_THAT(keys, ::testing::ElementsAre(
                        "cache_dir", "config_path", "max_size", "max_files", "disable", "recache",
                        "log_file", "compression_level", "compiler_check", "direct_mode",
                        "depend_mode", "sloppiness", "debug", "umask", "base_dir", "remote_storage",
                        "storage_helper", "storage_helper_idle_timeout", "prefix_command"));
  EXPECT_EQ(Shown(config, "max_size").first, "5.0 GiB");
  EXPECT_EQ(Shown(config, "disable").first, "false");
  EXPECT_EQ(Shown(config, "compression_level").first, "1");
}

TEST_F(ConfigTest, CacheDirPrecedence) {
  env_ = {{"HOME", "/home/u"}, {"XDG_CACHE_HOME", "/xdg"}};
  EXPECT_EQ(LoadOrDie().cache_dir, "/xdg/ddcc");
  env_["SCCACHE_DIR"] = "/sccache";
  EXPECT_EQ(LoadOrDie().cache_dir, "/sccache");
  EXPECT_EQ(Shown(LoadOrDie(), "cache_dir").second, "SCCACHE_DIR");
  EXPECT_EQ(LoadOrDie().config_path, "/sccache/ddcc.conf");
  env_["DDCC_DIR"] = "/ddcc";
  EXPECT_EQ(LoadOrDie().cache_dir, "/ddcc");
  EXPECT_EQ(Shown(LoadOrDie(), "cache_dir").second, "DDCC_DIR");
  EXPECT_EQ(LoadOrDie().config_path, "/ddcc/ddcc.conf");

  env_ = {};
  EXPECT_FALSE(Load().ok());
}

// In a cache shared by a group, any member can edit ddcc.conf; it must not make another
// member's ddcc write outside the cache, or run a program. Other settings still apply.
TEST_F(ConfigTest, AFileOthersMayWriteSetsNoPathWrittenToNorCommandRun) {
  const std::string path = cache_dir_ + "/ddcc.conf";
  const std::string explicit_path = dir_ + "/explicit.conf";
  struct Case {
    mode_t mode;
    bool someone_elses;
  };
  for (const Case& c : {Case{0664, false}, Case{0646, false}, Case{0644, true}}) {
    for (const std::string& file : {path, explicit_path}) {
      SCOPED_TRACE(absl::StrFormat("%s %o %d", file, c.mode, c.someone_elses));
      const bool is_explicit = file == explicit_path;
      WriteConfig(file, absl::StrCat("log_file = /home/other/.bashrc\n", "max_size = 1G\n",
                                     "prefix_command = /home/other/trojan\n",
                                     is_explicit ? "cache_dir = /home/other/cache\n" : ""));
      ASSERT_EQ(chmod(file.c_str(), c.mode), 0);
      if (c.someone_elses) {
        if (geteuid() != 0) GTEST_SKIP() << "only root can give a file to another user";
        ASSERT_EQ(chown(file.c_str(), 12345, 12345), 0);
      }
      if (is_explicit) env_["DDCC_CONFIG"] = explicit_path;
      Config config = LoadOrDie();
      env_.erase("DDCC_CONFIG");
      EXPECT_EQ(config.log_file, "");
      EXPECT_TRUE(config.prefix_command.empty());  // nor run a program of theirs
      EXPECT_EQ(config.cache_dir, cache_dir_);
      EXPECT_EQ(config.max_size, 1'000'000'000u);
      ASSERT_EQ(config.warnings.size(), is_explicit ? 3u : 2u);
      EXPECT_THAT(config.warnings[0], HasSubstr("log_file ignored"));
      EXPECT_THAT(config.warnings[1], HasSubstr("prefix_command ignored"));
      EXPECT_EQ(Shown(config, "log_file").second, "default");
      ASSERT_EQ(unlink(file.c_str()), 0);
    }
  }
  // The user's own file, written by no one else, is taken at its word.
  WriteConfig(path, "log_file = /tmp/mine.log\nprefix_command = distcc  --verbose\n");
  ASSERT_EQ(chmod(path.c_str(), 0644), 0);
  Config config = LoadOrDie();
  EXPECT_EQ(config.log_file, "/tmp/mine.log");
  EXPECT_THAT(config.prefix_command, ::testing::ElementsAre("distcc", "--verbose"));
  EXPECT_TRUE(config.warnings.empty());
}

TEST_F(ConfigTest, FileThenEnvironment) {
  const std::string path = cache_dir_ + "/ddcc.conf";
  WriteConfig(path,
              "# a comment\n"
              "\n"
              "max_size = 10G\n"
              "  compression_level=3  \n"
              "log_file = /tmp/with # hash.log\n"
              "disable = yes\n");
  Config config = LoadOrDie();
  EXPECT_EQ(config.max_size, 10'000'000'000u);
  EXPECT_EQ(config.compression_level, 3);
  EXPECT_EQ(config.log_file, "/tmp/with # hash.log");
  EXPECT_TRUE(config.disable);
  EXPECT_EQ(Shown(config, "max_size"), std::make_pair(std::string("9.3 GiB"), path));
  EXPECT_EQ(Shown(config, "compiler_check").second, "default");

  env_["DDCC_MAXSIZE"] = "1Gi";
  env_["DDCC_DISABLE"] = "";
  env_["DDCC_RECACHE"] = "1";
  env_["DDCC_LOGFILE"] = "";
  env_["DDCC_COMPRESSION_LEVEL"] = "-5";
  env_["DDCC_COMPILERCHECK"] = "content";
  config = LoadOrDie();
  EXPECT_EQ(config.max_size, 1u << 30);
  EXPECT_FALSE(config.disable);
  EXPECT_TRUE(config.recache);
  EXPECT_EQ(config.log_file, "");
  EXPECT_EQ(config.compression_level, -5);
  EXPECT_EQ(config.compiler_check, "content");
  EXPECT_EQ(Shown(config, "max_size"),
            std::make_pair(std::string("1.0 GiB"), std::string("DDCC_MAXSIZE")));
  EXPECT_EQ(Shown(config, "disable").second, "DDCC_DISABLE");
  EXPECT_EQ(Shown(config, "recache"),
            std::make_pair(std::string("true"), std::string("DDCC_RECACHE")));
  EXPECT_EQ(Shown(config, "log_file").second, "DDCC_LOGFILE");
  EXPECT_EQ(Shown(config, "compression_level").second, "DDCC_COMPRESSION_LEVEL");
  EXPECT_EQ(Shown(config, "compiler_check").second, "DDCC_COMPILERCHECK");
}

TEST_F(ConfigTest, SccacheCacheSizeUsesBinaryUnitsAndYieldsToDdccMaxsize) {
  env_["SCCACHE_CACHE_SIZE"] = "2G";
  Config config = LoadOrDie();
  EXPECT_EQ(config.max_size, 2ull << 30);
  EXPECT_EQ(Shown(config, "max_size").second, "SCCACHE_CACHE_SIZE");
  env_["DDCC_MAXSIZE"] = "3G";
  config = LoadOrDie();
  EXPECT_EQ(config.max_size, 3'000'000'000u);
  EXPECT_EQ(Shown(config, "max_size").second, "DDCC_MAXSIZE");
  // An unused bad SCCACHE_CACHE_SIZE does not matter.
  env_["SCCACHE_CACHE_SIZE"] = "lots";
  EXPECT_TRUE(Load().ok());
  env_.erase("DDCC_MAXSIZE");
  EXPECT_FALSE(Load().ok());
}

TEST_F(ConfigTest, TheStorageHelperAndItsIdleTimeout) {
  Config config = LoadOrDie();
  EXPECT_TRUE(config.storage_helper);
  EXPECT_EQ(config.storage_helper_idle_timeout_ns, int64_t{600} * 1'000'000'000);
  env_["SCCACHE_IDLE_TIMEOUT"] = "30";  // sccache's server's, in seconds
  config = LoadOrDie();
  EXPECT_EQ(config.storage_helper_idle_timeout_ns, int64_t{30} * 1'000'000'000);
  EXPECT_EQ(Shown(config, "storage_helper_idle_timeout"),
            std::make_pair(std::string("30s"), std::string("SCCACHE_IDLE_TIMEOUT")));
  env_["DDCC_STORAGE_HELPER_IDLE_TIMEOUT"] = "2m";
  env_["DDCC_STORAGE_HELPER"] = "false";
  config = LoadOrDie();
  EXPECT_EQ(config.storage_helper_idle_timeout_ns, int64_t{120} * 1'000'000'000);
  EXPECT_FALSE(config.storage_helper);
  env_["DDCC_STORAGE_HELPER_IDLE_TIMEOUT"] = "soon";
  EXPECT_FALSE(Load().ok());
}

TEST_F(ConfigTest, CacheDirOnlyInAnExplicitConfigFile) {
  WriteConfig(cache_dir_ + "/ddcc.conf", "cache_dir = /elsewhere\n");
  absl::StatusOr<Config> config = Load();
  EXPECT_TRUE(absl::IsInvalidArgument(config.status())) << config.status();
  EXPECT_THAT(config.status().message(), HasSubstr("DDCC_CONFIG"));

  const std::string explicit_path = dir_ + "/explicit.conf";
  WriteConfig(explicit_path, "cache_dir = /elsewhere\n");
  env_ = {{"DDCC_CONFIG", explicit_path}};
  Config loaded = LoadOrDie();
  EXPECT_EQ(loaded.cache_dir, "/elsewhere");
  EXPECT_EQ(loaded.config_path, explicit_path);
  EXPECT_EQ(Shown(loaded, "cache_dir").second, explicit_path);
  EXPECT_EQ(Shown(loaded, "config_path").second, "DDCC_CONFIG");
  env_["DDCC_DIR"] = cache_dir_;
  EXPECT_EQ(LoadOrDie().cache_dir, cache_dir_);
}

TEST_F(ConfigTest, MissingFileIsFine) {
  env_["DDCC_CONFIG"] = dir_ + "/does-not-exist.conf";
  EXPECT_TRUE(Load().ok());
}

TEST_F(ConfigTest, UnreadableFileIsAnError) {
  ASSERT_TRUE(MakeDirs(cache_dir_ + "/ddcc.conf").ok());  // a directory cannot be read as text
  EXPECT_FALSE(Load().ok());
}

TEST_F(ConfigTest, BadFileContentIsAnError) {
  const std::string path = cache_dir_ + "/ddcc.conf";
  for (const char* text :
       {"max_size 10G\n", "= 3\n", "no_such_key = 1\n", "max_size = lots\n", "disable = maybe\n",
        "compression_level = 20\n", "compression_level = 1.5\n", "compiler_check = never\n",
        "config_path = /x\n"}) {
    WriteConfig(path, text);
    absl::StatusOr<Config> config = Load();
    EXPECT_TRUE(absl::IsInvalidArgument(config.status())) << text;
    EXPECT_THAT(config.status().message(), HasSubstr(path + ":1:")) << text;
  }
}

TEST_F(ConfigTest, BadEnvironmentValueIsAnError) {
  for (auto [name, value] :
       std::vector<std::pair<std::string, std::string>>{{"DDCC_MAXSIZE", "-1"},
                                                        {"DDCC_MAXSIZE", ""},
                                                        {"DDCC_DISABLE", "maybe"},
                                                        {"DDCC_RECACHE", "TRUE "},
                                                        {"DDCC_COMPRESSION_LEVEL", "20"},
                                                        {"DDCC_COMPRESSION_LEVEL", "-6"},
                                                        {"DDCC_COMPRESSION_LEVEL", "abc"},
                                                        {"DDCC_COMPRESSION_LEVEL", ""},
                                                        {"DDCC_COMPILERCHECK", "none"},
                                                        {"DDCC_MAXFILES", "-1"},
                                                        {"DDCC_MAXFILES", "10k"},
                                                        {"DDCC_MAXFILES", ""},
                                                        {"DDCC_UMASK", "8"},
                                                        {"DDCC_UMASK", "1000"},
                                                        {"DDCC_UMASK", "0o22"},
                                                        {"DDCC_UMASK", "77777777777777777777"},
                                                        {"DDCC_BASEDIR", "/src:build"}}) {
    env_[name] = value;
    absl::StatusOr<Config> config = Load();
    EXPECT_TRUE(absl::IsInvalidArgument(config.status())) << name << "=" << value;
    EXPECT_THAT(config.status().message(), HasSubstr(name));
    env_.erase(name);
  }
}

TEST_F(ConfigTest, MaxFiles) {
  EXPECT_EQ(LoadOrDie().max_files, 0u);
  WriteConfig(cache_dir_ + "/ddcc.conf", "max_files = 5000\n");
  EXPECT_EQ(LoadOrDie().max_files, 5000u);
  env_["DDCC_MAXFILES"] = "0";
  EXPECT_EQ(LoadOrDie().max_files, 0u);
  EXPECT_EQ(Shown(LoadOrDie(), "max_files"),
            std::make_pair(std::string("0"), std::string("DDCC_MAXFILES")));
}

TEST_F(ConfigTest, UmaskIsOctal) {
  EXPECT_EQ(LoadOrDie().umask, std::nullopt);
  EXPECT_EQ(Shown(LoadOrDie(), "umask"), std::make_pair(std::string(), std::string("default")));
  WriteConfig(cache_dir_ + "/ddcc.conf", "umask = 027\n");
  EXPECT_EQ(LoadOrDie().umask, 027);
  env_["DDCC_UMASK"] = "2";
  EXPECT_EQ(LoadOrDie().umask, 02);
  EXPECT_EQ(Shown(LoadOrDie(), "umask"),
            std::make_pair(std::string("002"), std::string("DDCC_UMASK")));
  env_["DDCC_UMASK"] = "";  // unset again, as the file's value is overridden
  EXPECT_EQ(LoadOrDie().umask, std::nullopt);
}

TEST_F(ConfigTest, BaseDirs) {
  EXPECT_TRUE(LoadOrDie().base_dirs.empty());
  env_["DDCC_BASEDIR"] = "/home/u/src/:/tmp::/";
  Config config = LoadOrDie();
  EXPECT_EQ(config.base_dirs, (std::vector<std::string>{"/home/u/src", "/tmp", "/"}));
  EXPECT_EQ(Shown(config, "base_dir"),
            std::make_pair(std::string("/home/u/src:/tmp:/"), std::string("DDCC_BASEDIR")));
  // Spelt with "..", "." or "//" ($PWD/..): as paths are compared with it.
  env_["DDCC_BASEDIR"] = "/home/u/src/build/..:/home/./u//x/";
  EXPECT_EQ(LoadOrDie().base_dirs, (std::vector<std::string>{"/home/u/src", "/home/u/x"}));
}

TEST_F(ConfigTest, RemoteStorageFromFileAndEnvironment) {
  WriteConfig(cache_dir_ + "/ddcc.conf", "remote_storage = redis://a:1|read-only\n");
  Config config = LoadOrDie();
  ASSERT_EQ(config.remote_storage.size(), 1u);
  EXPECT_TRUE(config.remote_storage[0].read_only);
  EXPECT_EQ(Shown(config, "remote_storage").second, cache_dir_ + "/ddcc.conf");

  env_["DDCC_REMOTE_STORAGE"] = "redis://:secret@b:2 redis://c:3|timeout=50";
  config = LoadOrDie();
  ASSERT_EQ(config.remote_storage.size(), 2u);
  EXPECT_EQ(config.remote_storage[1].timeout_ms, 50);
  EXPECT_EQ(Shown(config, "remote_storage"),
            std::make_pair(std::string("redis://:***@b:2|connect-timeout=100|timeout=500 "
                                       "redis://c:3|connect-timeout=100|timeout=50"),
                           std::string("DDCC_REMOTE_STORAGE")));

  env_["DDCC_REMOTE_STORAGE"] = "ftp://cache/";
  absl::StatusOr<Config> bad = Load();
  EXPECT_THAT(bad.status().message(), HasSubstr("DDCC_REMOTE_STORAGE"));
}

TEST_F(ConfigTest, DependModeFromFileThenEnvironment) {
  const std::string path = cache_dir_ + "/ddcc.conf";
  WriteConfig(path, "depend_mode = true\n");
  EXPECT_EQ(Shown(LoadOrDie(), "depend_mode"), std::make_pair(std::string("true"), path));
  env_["DDCC_DEPEND"] = "0";
  Config config = LoadOrDie();
  EXPECT_FALSE(config.depend_mode);
  EXPECT_EQ(Shown(config, "depend_mode").second, "DDCC_DEPEND");
}

// ccache's kinds of sloppiness that ddcc does not have are passed over, as ccache does.
TEST_F(ConfigTest, SloppinessKindsOfCcachePassedOver) {
  WriteConfig(cache_dir_ + "/ddcc.conf",
              "sloppiness = include_file_mtime, include_file_ctime,time_macros\n");
  EXPECT_TRUE(LoadOrDie().sloppy_time_macros);
  env_["DDCC_SLOPPINESS"] = "include_file_mtime,locale,pch_defines";
  EXPECT_FALSE(LoadOrDie().sloppy_time_macros);
  // Split on spaces too, as ccache splits them.
  env_["DDCC_SLOPPINESS"] = "include_file_mtime time_macros";
  EXPECT_TRUE(LoadOrDie().sloppy_time_macros);
  env_["DDCC_SLOPPINESS"] = "time_macros_x";
  EXPECT_FALSE(LoadOrDie().sloppy_time_macros);
}

TEST_F(ConfigTest, Booleans) {
  for (const char* yes : {"1", "true", "yes"}) {
    env_["DDCC_DISABLE"] = yes;
    EXPECT_TRUE(LoadOrDie().disable) << yes;
  }
  for (const char* no : {"0", "false", "no", ""}) {
    env_["DDCC_DISABLE"] = no;
    EXPECT_FALSE(LoadOrDie().disable) << no;
  }
}

TEST_F(ConfigTest, SetConfigValueCreatesReplacesAndAppends) {
  const std::string path = cache_dir_ + "/ddcc.conf";
  ASSERT_TRUE(SetConfigValue(path, "max_size", "2G").ok());
  EXPECT_EQ(*ReadFile(path), "max_size = 2G\n");

  WriteConfig(path,
              "# keep me\n"
              "max_size = 2G\n"
              "compression_level = 3\n"
              "max_size=7G\n"
              "\n"
              "disable = no");
  ASSERT_TRUE(SetConfigValue(path, "max_size", "20G").ok());
  EXPECT_EQ(*ReadFile(path),
            "# keep me\n"
            "max_size = 20G\n"
            "compression_level = 3\n"
            "\n"
            "disable = no\n");
  ASSERT_TRUE(SetConfigValue(path, "compiler_check", "content").ok());
  EXPECT_THAT(*ReadFile(path), ::testing::EndsWith("disable = no\ncompiler_check = content\n"));

  Config config = LoadOrDie();
  EXPECT_EQ(config.max_size, 20'000'000'000u);
  EXPECT_EQ(config.compiler_check, "content");
}

TEST_F(ConfigTest, SetConfigValueRefusesWhatLoadingWouldReject) {
  const std::string path = cache_dir_ + "/ddcc.conf";
  WriteConfig(path, "max_size = 2G\n");
  EXPECT_FALSE(SetConfigValue(path, "max_size", "lots").ok());
  EXPECT_FALSE(SetConfigValue(path, "no_such_key", "1").ok());
  EXPECT_FALSE(SetConfigValue(path, "log_file", "a\nmax_size = 1").ok());
  EXPECT_EQ(*ReadFile(path), "max_size = 2G\n");
}

TEST(SizeTest, ParseSize) {
  struct Case {
    const char* text;
    bool binary_units;
    uint64_t expected;
  };
  for (const Case& c : std::vector<Case>{
           {"0", false, 0},
           {"123", false, 123'000'000'000},
           {"123B", false, 123},
           {"123 bytes", false, 123},
           {"10k", false, 10'000},
           {"10K", false, 10'000},
           {"10kB", false, 10'000},
           {"500M", false, 500'000'000},
           {"10G", false, 10'000'000'000},
           {"10gb", false, 10'000'000'000},
           {"2T", false, 2'000'000'000'000},
           {"1.5G", false, 1'500'000'000},
           {"0.5k", false, 500},
           {"10Ki", false, 10 << 10},
           {"10KiB", false, 10 << 10},
           {"10Gi", false, 10ull << 30},
           {"10GiB", false, 10ull << 30},
           {"5.0 GiB", false, 5ull << 30},
           {"1.5Gi", false, 3ull << 29},
           {"1Ti", false, 1ull << 40},
           {"10G", true, 10ull << 30},
           {"10GB", true, 10ull << 30},
           {"10M", true, 10 << 20},
           {"123", true, 123},
           {"20", false, 20'000'000'000},
           {"0.5", false, 500'000'000},
           {"20b", false, 20},
           {"20 bytes", false, 20},
           {"18446744073709551615B", false, UINT64_MAX},
       }) {
    absl::StatusOr<uint64_t> size = ParseSize(c.text, c.binary_units);
    ASSERT_TRUE(size.ok()) << c.text << ": " << size.status();
    EXPECT_EQ(*size, c.expected) << c.text;
  }
  for (const char* bad :
       {"", " 1G", "-1", "+1", "G", "1X", "1GG", "1GiBB", "1Gx", "1.", ".5G", "1.5b", "1e9", "1,5G",
        "1G ", "18446744073709551616B", "99999999999999999999999", "18446744074G", "18446744074"}) {
    EXPECT_FALSE(ParseSize(bad).ok()) << bad;
  }
}

TEST(AgeTest, ParseAge) {
  constexpr int64_t kSecond = 1'000'000'000;
  EXPECT_EQ(*ParseAge("7d"), 7 * 86400 * kSecond);
  EXPECT_EQ(*ParseAge("12h"), 12 * 3600 * kSecond);
  EXPECT_EQ(*ParseAge("30m"), 30 * 60 * kSecond);
  EXPECT_EQ(*ParseAge("45s"), 45 * kSecond);
  EXPECT_EQ(*ParseAge("90"), 90 * kSecond);
  for (absl::string_view bad : {"", "d", "-1d", "7w", "1.5d", "99999999999999d"}) {
    EXPECT_FALSE(ParseAge(bad).ok()) << bad;
  }
}

TEST(SizeTest, FormatSize) {
  EXPECT_EQ(FormatSize(0), "0 bytes");
  EXPECT_EQ(FormatSize(12), "12 bytes");
  EXPECT_EQ(FormatSize(1023), "1023 bytes");
  EXPECT_EQ(FormatSize(1024), "1.0 KiB");
  EXPECT_EQ(FormatSize(300 * 1024), "300.0 KiB");
  EXPECT_EQ(FormatSize(1024 * 1024 - 1), "1.0 MiB");
  EXPECT_EQ(FormatSize(3ull << 29), "1.5 GiB");
  EXPECT_EQ(FormatSize(5ull << 30), "5.0 GiB");
  EXPECT_EQ(FormatSize(10'000'000'000), "9.3 GiB");
  EXPECT_EQ(FormatSize(UINT64_MAX), "16.0 EiB");
  for (uint64_t size : {uint64_t{0}, uint64_t{999}, uint64_t{1} << 20, uint64_t{5} << 30}) {
    EXPECT_EQ(*ParseSize(FormatSize(size)), size) << FormatSize(size);
  }
}

}  // namespace
}  // namespace ddcc
