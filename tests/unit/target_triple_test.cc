#include "launcher/target_triple.h"

#include "gtest/gtest.h"

namespace ddcc {
namespace {

Compiler Named(const std::string& name) {
  Compiler compiler;
  compiler.name = name;
  return compiler;
}

TEST(TargetTripleTest, FromTheArgumentsElseTheName) {
  EXPECT_EQ(TargetTriple(Named("clang"), {"--target=sparc-linux-gnu", "-c"}), "sparc-linux-gnu");
  EXPECT_EQ(TargetTriple(Named("clang"), {"-target", "a-b", "--target=c-d"}), "c-d");
  EXPECT_EQ(TargetTriple(Named("x86_64-pc-windows-msvc-clang"), {}), "x86_64-pc-windows-msvc");
  EXPECT_EQ(TargetTriple(Named("aarch64-linux-gnu-clang++-14"), {}), "aarch64-linux-gnu");
  EXPECT_EQ(TargetTriple(Named("clang-14"), {}), "");
  EXPECT_EQ(TargetTriple(Named("my-clang"), {}), "");
  EXPECT_EQ(TargetTriple(Named("clang++"), {}), "");
}

// The MSVC target's default, and the last of the two options, as clang takes them.
TEST(TargetTripleTest, MicrosoftCompatibility) {
  Compiler clang = Named("clang");
  clang.family = Family::kClang;
  EXPECT_FALSE(MicrosoftCompatible(clang, {"-c"}));
  EXPECT_TRUE(MicrosoftCompatible(clang, {"--target=x86_64-pc-windows-msvc"}));
  EXPECT_FALSE(MicrosoftCompatible(clang, {"--target=x86_64-w64-windows-gnu"}));
  EXPECT_FALSE(
      MicrosoftCompatible(clang, {"--target=x86_64-pc-windows-msvc", "-fno-ms-compatibility"}));
  EXPECT_TRUE(MicrosoftCompatible(clang, {"-fno-ms-compatibility", "-fms-compatibility"}));
  EXPECT_FALSE(MicrosoftCompatible(clang, {"-fms-compatibility", "-fno-ms-compatibility"}));
  Compiler gcc = Named("gcc");
  gcc.family = Family::kGcc;
  EXPECT_FALSE(MicrosoftCompatible(gcc, {"-fms-compatibility"}));
}

// As clang 14's -### shows for <arch>-linux-gnu and other systems.
TEST(TargetTripleTest, WhereClangAssemblesItself) {
  for (const char* triple :
       {"", "x86_64-linux-gnu", "i686-pc-windows-msvc", "aarch64-none-elf", "armv7-linux-gnueabihf",
        "riscv64-unknown-elf", "powerpc64le-linux-gnu", "mips64el-linux-gnuabi64",
        "s390x-linux-gnu"}) {
    EXPECT_TRUE(ClangAssemblesItself(triple)) << triple;
  }
  for (const char* triple :
       {"sparc-linux-gnu", "sparcv9-sun-solaris2.11", "csky-linux-gnu", "wasm32-linux-gnu",
        "loongarch64-linux-gnu", "x86_64-unknown-nacl", "powerpc-ibm-aix", "xcore"}) {
    EXPECT_FALSE(ClangAssemblesItself(triple)) << triple;
  }
}

}  // namespace
}  // namespace ddcc
