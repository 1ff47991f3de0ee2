#include "launcher/clang_search_places.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "temp_dir_test.h"

namespace ddcc {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::Not;

class ClangSearchPlacesTest : public TempDirTest {
 protected:
  void Touch(const std::string& rel) {
    const std::filesystem::path path = std::filesystem::path(dir_) / rel;
    std::filesystem::create_directories(path.parent_path());
    std::ofstream(path).put('\n');
  }
  std::vector<std::string> Places() {
    CompileRequest request;
    request.hashed_args = {absl::StrCat("--sysroot=", dir_), "-c"};
    return ClangSearchPlaces(
        Compiler{.path = "/usr/bin/clang", .name = "clang", .family = Family::kClang}, request);
  }
};

TEST_F(ClangSearchPlacesTest, NamesPlacesFromTheirRootAndSeesEachChangeThatCounts) {
  Touch("usr/lib/gcc/x86_64-linux-gnu/12/crtbegin.o");
  Touch("usr/include/c++/12/vector");
  const std::vector<std::string> before = Places();
  EXPECT_THAT(before, Contains("sysroot/usr/lib/gcc/x86_64-linux-gnu: holds 12"));
  EXPECT_THAT(before, Contains("sysroot/usr/lib/gcc/x86_64-linux-gnu/12: start files: crtbegin.o"));
  EXPECT_THAT(absl::StrJoin(before, "\n"), Not(HasSubstr(dir_)));  // portable with its tree

  // Each makes clang's search path another: a newer GCC, whole or not yet; the multiarch
  // directory; libc++.
  for (const char* made :
       {"usr/lib/gcc/x86_64-linux-gnu/13/libstdc++.so",
        "usr/lib/gcc/x86_64-linux-gnu/13/crtbegin.o",
        "usr/lib/gcc/x86_64-linux-gnu/13/32/crtbegin.o",
        "usr/lib/gcc-cross/aarch64-linux-gnu/12/crtbegin.o",
        "usr/include/x86_64-linux-gnu/c++/13/bits/c++config.h", "usr/include/c++/v1/vector",
        "usr/local/include/c++/v1/vector", "usr/x86_64-linux-gnu/include/c++/12/vector",
        "lib64/gcc/x/1/crtbegin.o", "etc/env.d/gcc/config-x86_64-linux-gnu"}) {
    const std::vector<std::string> earlier = Places();
    Touch(made);
    EXPECT_NE(Places(), earlier) << made;
  }
  // What clang does not look at leaves them alone.
  const std::vector<std::string> earlier = Places();
  Touch("usr/include/stdio.h");
  Touch("usr/lib/libz.so");
  EXPECT_EQ(Places(), earlier);
}

TEST_F(ClangSearchPlacesTest, ASysrootFromAConfigFileIsLookedAt) {
  // clang called as x86_64-linux-gnu-clang reads x86_64-linux-gnu-clang.cfg beside it.
  Touch("bin/x86_64-linux-gnu-clang");
  // (A version this machine has not: its own /usr/lib/gcc shows under the same label.)
  Touch("sr/usr/lib/gcc/x86_64-linux-gnu/99/crtbegin.o");
  std::ofstream(std::filesystem::path(dir_) / "bin/x86_64-linux-gnu-clang.cfg")
      << "-Wall --sysroot=" << dir_ << "/sr\n";
  CompileRequest request;
  request.hashed_args = {"-c"};
  const Compiler compiler{.path = dir_ + "/bin/x86_64-linux-gnu-clang",
                          .name = "x86_64-linux-gnu-clang",
                          .family = Family::kClang};
  EXPECT_THAT(ClangSearchPlaces(compiler, request),
              Contains("sysroot/usr/lib/gcc/x86_64-linux-gnu: holds 99"));
}

}  // namespace
}  // namespace ddcc
