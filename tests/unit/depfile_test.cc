#include "launcher/depfile.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace ddcc {
namespace {

TEST(DepfileTest, RewritableTargets) {
  EXPECT_TRUE(IsRewritableTarget("CMakeFiles/foo.dir/src/a.cpp.o"));
  EXPECT_TRUE(IsRewritableTarget("obj/a\\ b$$c\\#d.o"));  // -MQ 'obj/a b$c#d.o'
  EXPECT_TRUE(IsRewritableTarget("$(OBJ) c:a.o"));        // -MT, verbatim
  EXPECT_FALSE(IsRewritableTarget(""));
  EXPECT_FALSE(IsRewritableTarget("a\\\\\\ b.o"));  // a backslash before a quoted space
  EXPECT_FALSE(IsRewritableTarget("a\\b.o"));
  EXPECT_FALSE(IsRewritableTarget("a.o\\"));
  EXPECT_FALSE(IsRewritableTarget("a\tb.o"));
  EXPECT_FALSE(IsRewritableTarget("a\nb.o"));
}

TEST(DepfileTest, ListsPrerequisitesHoweverLaidOut) {
  using ::testing::ElementsAre;
  EXPECT_THAT(ListedPrerequisites("a.o: a.c \\\n  x\\ y.h $$z.h \\#w.h back\\slash.h\n"
                                  "x\\ y.h:\n",
                                  {"other.o"}, Family::kGcc),
              ElementsAre("a.c", "x y.h", "$z.h", "#w.h", "back\\slash.h"));
  EXPECT_THAT(ListedPrerequisites("c:/a.o b.o: \\\n a.c\tb.h", {}, Family::kClang),
              ElementsAre("a.c", "b.h"));
  // A target holding ": ", known.
  EXPECT_THAT(ListedPrerequisites("a: b: s.c h.h\n", {"a: b"}, Family::kGcc),
              ElementsAre("s.c", "h.h"));
  EXPECT_THAT(ListedPrerequisites("", {}, Family::kGcc), ElementsAre());
}

TEST(DepfileTest, KeyLeavesOutRewritableTargetsAndHoldsTheOthers) {
  auto key = [](std::vector<std::string> targets) {
    Hasher hasher;
    HashDepTargets(hasher, targets);
    return hasher.Finish();
  };
  EXPECT_EQ(key({"obj/a.o"}), key({"obj/b.o"}));
  EXPECT_EQ(key({"CMakeFiles/foo.dir/x.c.o"}), key({"CMakeFiles/foo_obj.dir/x.c.o"}));
  EXPECT_EQ(key({"a.o", "b\\ c.o"}), key({"a.o"}));
  EXPECT_NE(key({"a\\b.o"}), key({"a\\c.o"}));
  EXPECT_NE(key({"a\\b.o"}), key({"a.o"}));
  EXPECT_NE(key({"a.o", "a\\b.o"}), key({"a\\b.o", "a.o"}));
}

TEST(DepfileTest, ReplacesTargetsOfTheSameLengths) {
  std::string gcc = "obj/a.o: src/a.c \\\n /usr/include/stdio.h\n";
  absl::StatusOr<std::string> replaced = ReplaceDepTargets(gcc, "7", {"dir/b.o"}, Family::kGcc);
  ASSERT_TRUE(replaced.ok()) << replaced.status();
  EXPECT_EQ(*replaced, "dir/b.o: src/a.c \\\n /usr/include/stdio.h\n");

  std::string clang = "first.o \\\n  second.o: a.c\n";
  std::vector<std::string> targets = {std::string(66, 'f'), "SECOND.o"};
  std::string stored = std::string(66, 'x') + " \\\n  second.o: a.c\n";
  replaced = ReplaceDepTargets(stored, TargetLengths(targets), targets, Family::kClang);
  ASSERT_TRUE(replaced.ok()) << replaced.status();
  EXPECT_EQ(*replaced, std::string(66, 'f') + " \\\n  SECOND.o: a.c\n");
}

TEST(DepfileTest, RefusesTargetsOfOtherLengths) {
  EXPECT_TRUE(absl::IsFailedPrecondition(
      ReplaceDepTargets("a.o: a.c\n", "3", {"ab.o"}, Family::kGcc).status()));
  EXPECT_TRUE(absl::IsFailedPrecondition(
      ReplaceDepTargets("a.o: a.c\n", "3", {"x.o", "y.o"}, Family::kGcc).status()));
  EXPECT_TRUE(absl::IsDataLoss(ReplaceDepTargets("a.o", "3", {"x.o"}, Family::kGcc).status()));
}

}  // namespace
}  // namespace ddcc
