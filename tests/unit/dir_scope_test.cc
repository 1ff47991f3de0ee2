#include "launcher/dir_scope.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "launcher/blob_kind.h"

namespace ddcc {
namespace {

using ::testing::ElementsAre;

const EnvLookup kNoEnv = [](const char*) -> const char* { return nullptr; };

Digest Key(int n) {
  Hasher hasher;
  hasher.Field(n);
  return hasher.Finish();
}

// A gcc compile without -g in /src/a/build, with and without a base directory above it.
class DirScopeTest : public ::testing::Test {
 protected:
  DirScopeTest() {
    request_.language = "c";
    request_.source = "../x.c";
    request_.object = "x.o";
  }

  const Compiler compiler_{.path = "/usr/bin/gcc", .name = "gcc", .family = Family::kGcc};
  CompileRequest request_;
  const Config config_;
};

TEST_F(DirScopeTest, WithoutABaseDirectoryEveryKeyIsThisDirectorys) {
  const PathRewriter paths({}, "/src/a/build", "/src/a/build");
  const KeyMaker keys(compiler_, request_, config_, paths, false, kNoEnv);
  const ResultEntry results(request_, Family::kGcc, paths);
  DirScope scope(keys, paths, results);
  EXPECT_FALSE(scope.Shared());
  EXPECT_THAT(scope.ManifestKeys(Key(1)), ElementsAre(Key(1)));
  Entry entry;
  entry.Add(blob::kStderr, "/src/a/x.c:1:1: warning: ...");
  EXPECT_FALSE(scope.MayNameAnotherDirectory(entry));
  scope.KnowNoText();
  EXPECT_EQ(scope.ManifestKey(Key(1)), Key(1));
  EXPECT_EQ(scope.ObjectMove(), ObjectDirMove::kNever);
}

TEST_F(DirScopeTest, BelowABaseDirectoryKeysAreSharedAndEntriesNamingTheTreeRedirected) {
  const PathRewriter paths({"/src"}, "/src/a/build", "/src/a/build");
  const KeyMaker keys(compiler_, request_, config_, paths, false, kNoEnv);
  const ResultEntry results(request_, Family::kGcc, paths);
  DirScope scope(keys, paths, results);
  ASSERT_TRUE(scope.Shared());
  const Digest specific = scope.Specific(Key(1));
  EXPECT_NE(specific, Key(1));
  EXPECT_THAT(scope.ManifestKeys(Key(1)), ElementsAre(Key(1), specific));

  Entry quiet, naming;
  quiet.Add(blob::kStderr, "");
  naming.Add(blob::kStderr, "/src/a/x.c:1:1: warning: ...");
  EXPECT_FALSE(scope.MayNameAnotherDirectory(quiet));
  EXPECT_TRUE(scope.MayNameAnotherDirectory(naming));

  // A result found or stored under the specific key: manifests still lead to the shared one.
  EXPECT_FALSE(scope.redirected());
  scope.Redirect(Key(2));
  EXPECT_EQ(scope.LeadsTo(scope.Specific(Key(2))), Key(2));
  scope.ClearRedirect();
  EXPECT_EQ(scope.LeadsTo(Key(3)), Key(3));

  // A result tied to this directory is found only from it; depend mode cannot tell, so ties.
  scope.KnowResult({});
  EXPECT_EQ(scope.ManifestKey(Key(1)), Key(1));
  ResultKeyInfo tied;
  tied.tied = true;
  tied.names_cwd = true;
  scope.KnowResult(tied);
  EXPECT_EQ(scope.ManifestKey(Key(1)), specific);
  scope.KnowResult({});
  scope.Redirect(Key(2));
  scope.KnowNoText();
  EXPECT_EQ(scope.ManifestKey(Key(1)), specific);
  EXPECT_FALSE(scope.redirected());
}

// A file read naming the tree by paths the key holds relative (a unity source): a message may
// quote its line, or a part of it, so only a result without messages is shared.
TEST_F(DirScopeTest, WhereAFileNamesTheTreeOnlyAResultWithoutMessagesIsShared) {
  const PathRewriter paths({"/src"}, "/src/a/build", "/src/a/build");
  const KeyMaker keys(compiler_, request_, config_, paths, false, kNoEnv);
  const ResultEntry results(request_, Family::kGcc, paths);
  DirScope scope(keys, paths, results);
  Entry quiet, warned, printed;
  quiet.Add(blob::kStderr, "");
  warned.Add(blob::kStderr, "a/x.c:1:1: warning: ...");
  printed.Add(blob::kStdout, "x");
  ResultKeyInfo names_base_dir;
  names_base_dir.content_names_base_dir = true;
  scope.KnowResult(names_base_dir);
  EXPECT_FALSE(scope.MayNameAnotherDirectory(quiet));
  EXPECT_TRUE(scope.MayNameAnotherDirectory(warned));
  EXPECT_TRUE(scope.MayNameAnotherDirectory(printed));
  scope.KnowResult({});
  EXPECT_FALSE(scope.MayNameAnotherDirectory(warned));
}

}  // namespace
}  // namespace ddcc
