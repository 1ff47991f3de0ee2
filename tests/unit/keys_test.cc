#include "launcher/keys.h"

#include <fstream>

#include "cache/util/files.h"
#include "gtest/gtest.h"
#include "tests/unit/temp_dir_test.h"

namespace ddcc {
namespace {

const EnvLookup kNoEnv = [](const char*) -> const char* { return nullptr; };

// Direct keys of `gcc -O2 -c x.c` in two copies of one tree (dir_/a and dir_/b), made with the
// real compiler's identity.
class KeysTest : public TempDirTest {
 protected:
  void SetUp() override {
    TempDirTest::SetUp();
    for (const char* tree : {"/a", "/b"}) {
      ASSERT_TRUE(MakeDirs(dir_ + tree).ok());
      std::ofstream(dir_ + tree + "/x.c") << "int x(void) { return 1; }\n";
    }
  }

  absl::StatusOr<Digest> DirectKey(const std::string& tree, std::vector<std::string> base_dirs,
                                   std::vector<std::string> flags = {},
                                   const EnvLookup& env = kNoEnv) const {
    const std::string cwd = dir_ + tree;
    flags.insert(flags.end(), {"-O2", "-c", cwd + "/x.c", "-o", cwd + "/x.o"});
    ParsedArgs parsed = ParseArgs(Family::kGcc, flags);
    if (!std::holds_alternative<CompileRequest>(parsed)) return absl::InternalError("parse");
    const CompileRequest& request = std::get<CompileRequest>(parsed);
    const PathRewriter paths(std::move(base_dirs), cwd, cwd);
    const Config config;
    return KeyMaker(compiler_, request, config, paths, false, env).DirectKey();
  }

  const Compiler compiler_{.path = "/usr/bin/gcc", .name = "gcc", .family = Family::kGcc};
};

TEST_F(KeysTest, TheSameCompileHasTheSameKey) {
  absl::StatusOr<Digest> key = DirectKey("/a", {});
  ASSERT_TRUE(key.ok()) << key.status();
  EXPECT_EQ(DirectKey("/a", {}).value(), *key);
}

// Absolute paths name the tree unless a base directory above it makes them relative.
TEST_F(KeysTest, ABaseDirectoryLetsTwoTreesShareAKey) {
  EXPECT_NE(DirectKey("/a", {}).value(), DirectKey("/b", {}).value());
  EXPECT_EQ(DirectKey("/a", {dir_}).value(), DirectKey("/b", {dir_}).value());
}

// Whatever may change the object changes the key: an option, the source, the environment the
// preprocessor reads.
TEST_F(KeysTest, EachInputThatShapesTheResultIsInTheKey) {
  const Digest key = DirectKey("/a", {}).value();
  EXPECT_NE(DirectKey("/a", {}, {"-DX=1"}).value(), key);
  EXPECT_NE(DirectKey("/a", {}, {"-g"}).value(), key);
  const EnvLookup cpath = [](const char* name) -> const char* {
    return std::string_view(name) == "CPATH" ? "/opt/include" : nullptr;
  };
  EXPECT_NE(DirectKey("/a", {}, {}, cpath).value(), key);
  std::ofstream(dir_ + "/a/x.c") << "int x(void) { return 2; }\n";
  EXPECT_NE(DirectKey("/a", {}).value(), key);
}

// What the compilers read from their environment: gettext's choice of language and charset for
// gcc's messages, clang's Darwin deployment targets and SDK, its MSVC and PS4 search paths, and
// its debug-info options; each found by a direct hit serving what the compiler no longer writes.
TEST_F(KeysTest, EachEnvironmentVariableTheCompilersReadIsInTheKey) {
  const Digest key = DirectKey("/a", {}).value();
  for (const char* variable : {"LANGUAGE",
                               "OUTPUT_CHARSET",
                               "MACOSX_DEPLOYMENT_TARGET",
                               "IPHONEOS_DEPLOYMENT_TARGET",
                               "TVOS_DEPLOYMENT_TARGET",
                               "WATCHOS_DEPLOYMENT_TARGET",
                               "SDKROOT",
                               "RC_DEBUG_OPTIONS",
                               "INCLUDE",
                               "EXTERNAL_INCLUDE",
                               "VCINSTALLDIR",
                               "VCToolsInstallDir",
                               "SCE_ORBIS_SDK_DIR",
                               "LANG",
                               "LC_ALL",
                               "GCC_COLORS",
                               "CPATH",
                               "SOURCE_DATE_EPOCH",
                               "NCC_C_INCLUDE_PATH",
                               "NCC_CPLUS_INCLUDE_PATH",
                               "XCC_C_INCLUDE_PATH",
                               "XCC_CPLUS_INCLUDE_PATH",
                               "LLVM_OVERRIDE_PRODUCER",
                               "LD_PRELOAD",
                               "LD_LIBRARY_PATH",
                               "LD_AUDIT",
                               "GCONV_PATH"}) {
    const EnvLookup set = [variable](const char* name) -> const char* {
      return std::string_view(name) == variable ? "x" : nullptr;
    };
    EXPECT_NE(DirectKey("/a", {}, {}, set).value(), key) << variable;
  }
}

}  // namespace
}  // namespace ddcc
