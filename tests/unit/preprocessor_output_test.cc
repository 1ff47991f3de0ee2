#include "launcher/preprocessor_output.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace ddcc {
namespace {

using ::testing::ElementsAre;
using ::testing::FieldsAre;

// As gcc 12 writes it for src/a.c including "util.h" (found in include/) and <stdio.h>.
constexpr absl::string_view kGccOutput = R"(# 0 "src/a.c"
# 1 "/work//"
# 0 "<built-in>"
# 0 "<command-line>"
# 1 "/usr/include/stdc-predef.h" 1 3 4
# 0 "<command-line>" 2
# 1 "src/a.c"
# 1 "include/util.h" 1
# 1 "include/inner.h" 1
int inner;
# 2 "include/util.h" 2
# 2 "src/a.c" 2
# 1 "/usr/include/stdio.h" 1 3 4
# 3 "src/a.c" 2
#line 7 "generated.y"
# 1 "src/we\"ird.h" 1
)";

TEST(PreprocessorOutputTest, ParsesLineMarkersWithIncluders) {
  EXPECT_THAT(ParseIncludes(kGccOutput, "src/a.c").headers,
              ElementsAre(FieldsAre("/usr/include/stdc-predef.h", "", true),
                          FieldsAre("include/util.h", "src", true),
                          FieldsAre("include/inner.h", "include", true),
                          FieldsAre("/usr/include/stdio.h", "src", true),
                          FieldsAre("src/we\"ird.h", "src", true)));
}

// As `-E -dI` shows them: a #line in the source, a header included twice, clang's spelling.
constexpr absl::string_view kDirectives = R"(# 1 "src/a.c"
# 1 "<built-in>" 1
# 1 "<command line>" 1
# 1 "<built-in>" 2
# 1 "src/a.c" 2
#include "sub/x.h" /* clang -E -dI */
# 1 "src/a.c"
# 1 "src/sub/x.h" 1
#include_next <common.h> /* clang -E -dI */
# 7 "parse.y"
  #import "again.h"
# 2 "src/a.c" 2
# 40 "gram/parse.y"
#include "common.h"
)";

TEST(PreprocessorOutputTest, ParsesDirectivesWithTheirRealIncluders) {
  PreprocessedIncludes includes = ParseIncludes(kDirectives, "src/a.c");
  EXPECT_THAT(includes.headers, ElementsAre(FieldsAre("src/sub/x.h", "src", true)));
  EXPECT_THAT(includes.directives, ElementsAre(FieldsAre("sub/x.h", true, false, "src/a.c"),
                                               FieldsAre("common.h", false, true, "src/sub/x.h"),
                                               FieldsAre("again.h", true, false, "src/sub/x.h"),
                                               FieldsAre("common.h", true, false, "src/a.c")));
}

// A header an #include <...> or #include_next entered was not searched for beside its includer;
// one -dI shows no #include for (-include's) may have been.
TEST(PreprocessorOutputTest, TellsWhichHeadersWereSearchedForBesideTheirIncluders) {
  constexpr absl::string_view kText = R"(# 1 "a.c"
# 1 "<command-line>" 1
# 1 "./forced.h" 1
# 2 "<command-line>" 2
# 1 "a.c"
#include <sys/cdefs.h> /* clang -E -dI */
# 1 "/usr/include/x86_64-linux-gnu/sys/cdefs.h" 1 3 4
#include "quoted.h" /* clang -E -dI */
# 1 "/usr/include/x86_64-linux-gnu/sys/quoted.h" 1 3 4
#include_next "next.h" /* clang -E -dI */
# 1 "/usr/include/next.h" 1 3 4
# 2 "/usr/include/x86_64-linux-gnu/sys/quoted.h" 2 3 4
# 2 "/usr/include/x86_64-linux-gnu/sys/cdefs.h" 2 3 4
# 2 "a.c" 2
#include <guarded.h> /* clang -E -dI */
int x;
)";
  EXPECT_THAT(
      ParseIncludes(kText, "a.c").headers,
      ElementsAre(FieldsAre("./forced.h", "", true),
                  FieldsAre("/usr/include/x86_64-linux-gnu/sys/cdefs.h", "", false),
                  FieldsAre("/usr/include/x86_64-linux-gnu/sys/quoted.h",
                            "/usr/include/x86_64-linux-gnu/sys", true),
                  FieldsAre("/usr/include/next.h", "/usr/include/x86_64-linux-gnu/sys", false)));
}

// A path in a string literal (__FILE__'s expansion) is the text's; in a line marker it is not.
TEST(PreprocessorOutputTest, TextNamesOutsideMarkers) {
  const std::string text =
      "# 1 \"/src/t1/m.c\"\n# 1 \"/src/t1/inc/h.h\" 1\n"
      "const char *f = \"/src/t1/m.c\";\n  # 3 \"/src/t1/x.h\"\n";
  EXPECT_TRUE(TextNamesOutsideMarkers(text, "/src/t1/m.c"));
  EXPECT_FALSE(TextNamesOutsideMarkers(text, "/src/t1/inc/h.h"));
  EXPECT_TRUE(TextNamesOutsideMarkers(text, "/src/t1/x.h"));  // not a marker: indented
  EXPECT_FALSE(TextNamesOutsideMarkers("", "/src"));
}

}  // namespace
}  // namespace ddcc
