#include "launcher/depend_mode.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace ddcc {
namespace {

using ::testing::ElementsAre;

TEST(DependModeTest, PrerequisitesOfTheFirstRuleOnly) {
  // gcc's layout, with -MP's phony rules after it.
  absl::StatusOr<std::vector<std::string>> gcc =
      DepfilePrerequisites("obj/a.o: src/a.c /usr/include/stdc-predef.h \\\n inc/a.h\ninc/a.h:\n");
  ASSERT_TRUE(gcc.ok()) << gcc.status();
  EXPECT_THAT(*gcc, ElementsAre("src/a.c", "/usr/include/stdc-predef.h", "inc/a.h"));
  // clang's, with two targets and a blank line before the phony rules.
  absl::StatusOr<std::vector<std::string>> clang =
      DepfilePrerequisites("a.o b.o: a.c \\\n  x.h\n\nx.h:\n");
  ASSERT_TRUE(clang.ok()) << clang.status();
  EXPECT_THAT(*clang, ElementsAre("a.c", "x.h"));
}

TEST(DependModeTest, RefusesWhatItCouldMisread) {
  EXPECT_FALSE(DepfilePrerequisites("a.o: a.c with\\ space.h\n").ok());
  EXPECT_FALSE(DepfilePrerequisites("a.o: a.c cost$$.h\n").ok());
  EXPECT_FALSE(DepfilePrerequisites("a.o: a.c hash\\#.h\n").ok());
  EXPECT_FALSE(DepfilePrerequisites("a.o a.c\n").ok());  // no ':'
  EXPECT_FALSE(DepfilePrerequisites("a.o: a.c").ok());   // cut short
  EXPECT_FALSE(DepfilePrerequisites("a.o:\n").ok());     // no file
}

TEST(DependModeTest, OnlyDependencyFilesListingEveryHeader) {
  CompileRequest request;
  request.language = "c++";
  EXPECT_TRUE(DependModeRefusal(request).has_value());  // no dependency file
  request.generates_deps = true;
  request.dep_options = {"-MD", "-MP"};
  EXPECT_EQ(DependModeRefusal(request), std::nullopt);
  request.dep_options = {"-MMD"};
  EXPECT_TRUE(DependModeRefusal(request).has_value());  // no system headers
  request.dep_options = {"-MD"};
  request.language = "assembler-with-cpp";
  EXPECT_TRUE(DependModeRefusal(request).has_value());
}

}  // namespace
}  // namespace ddcc
