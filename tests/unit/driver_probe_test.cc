#include "launcher/driver_probe.h"

#include <gtest/gtest.h>

namespace ddcc {
namespace {

TEST(WithoutTemporaryNamesTest, BlanksGccAndClangTemporariesOnly) {
  const std::vector<std::string> temp_dirs = {"/tmp", "/scratch"};
  const std::string gcc_a =
      " /usr/lib/gcc/x86_64-linux-gnu/12/cc1 -quiet x.c -o /tmp/ccWWk2i0.s\n"
      " as --64 -o x.o /tmp/ccWWk2i0.s\n";
  const std::string gcc_b =
      " /usr/lib/gcc/x86_64-linux-gnu/12/cc1 -quiet x.c -o /tmp/ccQ1zz9A.s\n"
      " as --64 -o x.o /tmp/ccQ1zz9A.s\n";
  EXPECT_EQ(WithoutTemporaryNames(gcc_a, temp_dirs), WithoutTemporaryNames(gcc_b, temp_dirs));
  const std::string clang_a = R"( "/usr/bin/clang" "-cc1" "-o" "/scratch/x-3f8a1c.s" "x.c")";
  const std::string clang_b = R"( "/usr/bin/clang" "-cc1" "-o" "/scratch/x-90be2d.s" "x.c")";
  EXPECT_EQ(WithoutTemporaryNames(clang_a, temp_dirs), WithoutTemporaryNames(clang_b, temp_dirs));

  // What a wrapper adds stays, temporary-looking names elsewhere too.
  for (const auto& [one, other] : std::vector<std::pair<std::string, std::string>>{
           {" cc1 -I/tmp/include-a x.c", " cc1 -I/tmp/include-b x.c"},
           {" cc1 -DVALUE=1 x.c", " cc1 -DVALUE=2 x.c"},
           {" cc1 -o /home/me/ccWWk2i0.s", " cc1 -o /home/me/ccQ1zz9A.s"},
           {" cc1 /tmp/sub/ccWWk2i0.s", " cc1 /tmp/sub/ccQ1zz9A.s"}}) {
    EXPECT_NE(WithoutTemporaryNames(one, temp_dirs), WithoutTemporaryNames(other, temp_dirs))
        << one;
  }
}

}  // namespace
}  // namespace ddcc
