#include "launcher/depfile.h"

#include "gtest/gtest.h"

namespace ddcc {
namespace {

TEST(DepfileTest, PlainTargets) {
  EXPECT_TRUE(IsPlainTarget("CMakeFiles/foo.dir/src/a.cpp.o"));
  EXPECT_TRUE(IsPlainTarget("build/temp.linux-x86_64-cpython-311/foo.o"));
  EXPECT_FALSE(IsPlainTarget(""));
  EXPECT_FALSE(IsPlainTarget("a b.o"));
  EXPECT_FALSE(IsPlainTarget("a$$b.o"));
  EXPECT_FALSE(IsPlainTarget("c:a.o"));
  EXPECT_FALSE(IsPlainTarget("a\\#.o"));
}

TEST(DepfileTest, KeyHoldsLengthsOfPlainTargetsAndTextOfOthers) {
  auto key = [](std::vector<std::string> targets) {
    Hasher hasher;
    HashDepTargets(hasher, targets);
    return hasher.Finish();
  };
  EXPECT_EQ(key({"obj/a.o"}), key({"obj/b.o"}));
  EXPECT_NE(key({"obj/a.o"}), key({"obj/ab.o"}));
  EXPECT_NE(key({"a.o", "b.o"}), key({"a.o"}));
  EXPECT_NE(key({"x y.o"}), key({"x z.o"}));
}

TEST(DepfileTest, ReplacesTargetsKeepingLayout) {
  std::string gcc = "obj/a.o: src/a.c \\\n /usr/include/stdio.h\n";
  absl::StatusOr<std::string> replaced = ReplaceDepTargets(gcc, {"dir/b.o"});
  ASSERT_TRUE(replaced.ok()) << replaced.status();
  EXPECT_EQ(*replaced, "dir/b.o: src/a.c \\\n /usr/include/stdio.h\n");

  std::string two = "first.o \\\n  second.o: a.c\n";
  replaced = ReplaceDepTargets(two, {"FIRST.o", "SECOND.o"});
  ASSERT_TRUE(replaced.ok()) << replaced.status();
  EXPECT_EQ(*replaced, "FIRST.o \\\n  SECOND.o: a.c\n");
}

TEST(DepfileTest, RejectsFilesNotShapedAsExpected) {
  EXPECT_FALSE(ReplaceDepTargets("a.o: a.c\n", {"ab.o"}).ok());        // another length
  EXPECT_FALSE(ReplaceDepTargets("a.o b.o: a.c\n", {"x.o"}).ok());     // more targets
  EXPECT_FALSE(ReplaceDepTargets("a.o", {"x.o"}).ok());                // no colon
  EXPECT_FALSE(ReplaceDepTargets("a.o: a.c\n", {"x.o", "y.o"}).ok());  // fewer targets
  EXPECT_FALSE(ReplaceDepTargets("a b: a.c\n", {"a b"}).ok());         // not plain
}

}  // namespace
}  // namespace ddcc
