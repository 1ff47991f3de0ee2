#include <cstdio>
#include <string>

#include "gtest/gtest.h"
#include "launcher/depfile.h"

namespace ddcc {
namespace {

// As gcc 12 writes them for `-MD -MP -MT x.o`: gcc counts the quoted header's 35 characters,
// clang its path's 33 (so it would keep stdio.h on the first line).
constexpr absl::string_view kGcc =
    "x.o: src/a_source_file_named_with_28.c include/a_header_with_$$_and_\\#.h \\\n"
    " /usr/include/stdio.h\n"
    "include/a_header_with_$$_and_\\#.h:\n"
    "/usr/include/stdio.h:\n";

std::vector<std::string> Paths() {
  return {"src/a_source_file_named_with_28.c", "include/a_header_with_$_and_#.h",
          "/usr/include/stdio.h"};
}

TEST(DepfileLayoutTest, ParsesAndLaysOutAgain) {
  absl::StatusOr<DepRule> parsed = ParseDepfile(kGcc, {"x.o"}, Family::kGcc);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->prerequisites, Paths());
  EXPECT_TRUE(parsed->phony);
  EXPECT_EQ(LayOut(*parsed, Family::kGcc), kGcc);
  EXPECT_EQ(LayOut(*parsed, Family::kClang),
            "x.o: src/a_source_file_named_with_28.c include/a_header_with_$$_and_\\#.h \\\n"
            "  /usr/include/stdio.h\n"
            "\n"
            "include/a_header_with_$$_and_\\#.h:\n"
            "\n"
            "/usr/include/stdio.h:\n");
  EXPECT_FALSE(ParseDepfile(kGcc, {"x.o"}, Family::kClang).ok());
}

// A tree whose path holds a tab (laid out from a portable file): gcc escapes the tab as it
// escapes a space, clang 14 writes it as it is.
TEST(DepfileLayoutTest, ATabIsEscapedByGccOnly) {
  DepRule rule{.targets = {"x.o"}, .prerequisites = {"x.c", "/t/a\tb/h.h"}, .phony = true};
  EXPECT_EQ(LayOut(rule, Family::kGcc), "x.o: x.c /t/a\\\tb/h.h\n/t/a\\\tb/h.h:\n");
  EXPECT_EQ(LayOut(rule, Family::kClang), "x.o: x.c /t/a\tb/h.h\n\n/t/a\tb/h.h:\n");
  EXPECT_EQ(MakeQuote("a\tb.o"), "a\\\tb.o");  // -MQ, as both drivers quote it
}

TEST(DepfileLayoutTest, QuotedSpaceInAFileThatExists) {
  std::string path = testing::TempDir() + "/a header.h";
  FILE* file = fopen(path.c_str(), "w");
  ASSERT_NE(file, nullptr);
  fclose(file);
  DepRule rule;
  rule.targets = {"x.o"};
  rule.prerequisites = {"a.c", path};
  std::string text = LayOut(rule, Family::kGcc);
  EXPECT_NE(text.find("a\\ header.h"), std::string::npos) << text;
  absl::StatusOr<DepRule> parsed = ParseDepfile(text, {"x.o"}, Family::kGcc);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->prerequisites, rule.prerequisites);
  remove(path.c_str());
  EXPECT_FALSE(ParseDepfile(text, {"x.o"}, Family::kGcc).ok());  // maybe "...a\" and "header.h"
}

TEST(DepfileLayoutTest, LongerTargetsMoveTheBreaks) {
  DepRule rule;
  rule.prerequisites = {"a.c", std::string(40, 'h') + ".h"};
  rule.targets = {std::string(20, 't')};
  EXPECT_EQ(LayOut(rule, Family::kGcc), rule.targets[0] + ": a.c " + rule.prerequisites[1] + "\n");
  EXPECT_EQ(LayOut(rule, Family::kClang),
            rule.targets[0] + ": a.c " + rule.prerequisites[1] + "\n");
  rule.targets = {std::string(30, 't')};
  EXPECT_EQ(LayOut(rule, Family::kGcc),
            rule.targets[0] + ": a.c \\\n " + rule.prerequisites[1] + "\n");
  EXPECT_EQ(LayOut(rule, Family::kClang),
            rule.targets[0] + ": a.c \\\n  " + rule.prerequisites[1] + "\n");
  rule.targets = {std::string(40, 't'), std::string(40, 'u')};
  EXPECT_EQ(LayOut(rule, Family::kGcc), rule.targets[0] + " \\\n " + rule.targets[1] +
                                            ": a.c \\\n " + rule.prerequisites[1] + "\n");
  EXPECT_EQ(LayOut(rule, Family::kClang), rule.targets[0] + " \\\n  " + rule.targets[1] +
                                              ": a.c \\\n  " + rule.prerequisites[1] + "\n");
}

TEST(DepfileLayoutTest, RefusesWhatItCannotLayOutAgain) {
  for (absl::string_view text : {
           "x.o: a.c\\\n  b.h\n",     // another layout
           "x.o: a.c",                // no newline at the end
           "y.o: a.c\n",              // other targets
           "x.o: a\\\\\\ b.h\n",      // a backslash in a path
           "x.o: a\\b.h\n",           //
           "x.o: a$b.h\n",            // unquoted
           "x.o: a#b.h\n",            //
           "x.o: a\\ b.h\n",          // no such file: maybe "a\" and "b.h"
           "x.o: a.c\nb.h:\nc.h:\n",  // -MP for a file not named
       }) {
    EXPECT_TRUE(absl::IsFailedPrecondition(ParseDepfile(text, {"x.o"}, Family::kGcc).status()))
        << text;
  }
}

}  // namespace
}  // namespace ddcc
