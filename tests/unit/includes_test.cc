#include "launcher/includes.h"

#include <fstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/unit/temp_dir_test.h"

namespace ddcc {
namespace {

using ::testing::ElementsAre;
using ::testing::FieldsAre;
using ::testing::IsEmpty;
using ::testing::IsSupersetOf;
using ::testing::UnorderedElementsAre;

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

TEST(IncludesTest, ParsesLineMarkersWithIncluders) {
  EXPECT_THAT(
      ParseIncludes(kGccOutput, "src/a.c").headers,
      ElementsAre(FieldsAre("/usr/include/stdc-predef.h", ""), FieldsAre("include/util.h", "src"),
                  FieldsAre("include/inner.h", "include"), FieldsAre("/usr/include/stdio.h", "src"),
                  FieldsAre("src/we\"ird.h", "src")));
}

constexpr absl::string_view kVerbose =
    R"(ignoring nonexistent directory "/usr/local/include/x86_64-linux-gnu"
ignoring nonexistent directory "missing"
#include "..." search starts here:
 quoted
#include <...> search starts here:
 include
 /usr/local/include
 /usr/include
End of search list.
)";

TEST(IncludesTest, ParsesSearchPath) {
  absl::StatusOr<SearchPath> search = ParseSearchPath(kVerbose);
  ASSERT_TRUE(search.ok()) << search.status();
  EXPECT_THAT(search->quote, ElementsAre("quoted"));
  EXPECT_THAT(search->angle, ElementsAre("include", "/usr/local/include", "/usr/include"));
  EXPECT_THAT(search->missing, ElementsAre("/usr/local/include/x86_64-linux-gnu", "missing"));
  EXPECT_FALSE(ParseSearchPath("gcc: error\n").ok());
}

TEST(IncludesTest, ShadowCandidatesAreThePlacesSearchedEarlier) {
  SearchPath search = *ParseSearchPath(kVerbose);
  auto candidates = [&](std::string path, std::string includer_dir) {
    return *ShadowCandidates({path, includer_dir}, search);
  };
  EXPECT_THAT(candidates("/usr/include/stdio.h", "src"),
              UnorderedElementsAre("src/stdio.h", "quoted/stdio.h", "include/stdio.h",
                                   "/usr/local/include/stdio.h"));
  EXPECT_THAT(candidates("include/util.h", "src"),
              UnorderedElementsAre("src/util.h", "quoted/util.h"));
  EXPECT_THAT(candidates("src/local.h", "src"), IsEmpty());  // beside its includer
  EXPECT_THAT(candidates("/opt/abs.h", "src"), IsEmpty());   // an absolute #include
  EXPECT_FALSE(ShadowCandidates({"elsewhere/x.h", "src"}, search).ok());
  // "../x.h" found in include/: include/../x.h, tried first beside the includer and in quoted/.
  EXPECT_THAT(candidates("include/../x.h", "src"), IsSupersetOf({"src/../x.h", "quoted/../x.h"}));
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

TEST(IncludesTest, ParsesDirectivesWithTheirRealIncluders) {
  PreprocessedIncludes includes = ParseIncludes(kDirectives, "src/a.c");
  EXPECT_THAT(includes.headers, ElementsAre(FieldsAre("src/sub/x.h", "src")));
  EXPECT_THAT(includes.directives, ElementsAre(FieldsAre("sub/x.h", true, false, "src/a.c"),
                                               FieldsAre("common.h", false, true, "src/sub/x.h"),
                                               FieldsAre("again.h", true, false, "src/sub/x.h"),
                                               FieldsAre("common.h", true, false, "src/a.c")));
}

TEST(IncludesTest, ProbeCandidates) {
  SearchPath search = *ParseSearchPath(kVerbose);
  EXPECT_THAT(ProbeCandidates({"x.h", true}, "src", search),
              ElementsAre("src/x.h", "quoted/x.h", "include/x.h", "/usr/local/include/x.h",
                          "/usr/include/x.h"));
  EXPECT_THAT(ProbeCandidates({"x.h", false}, "src", search),
              ElementsAre("include/x.h", "/usr/local/include/x.h", "/usr/include/x.h"));
}

class DependIncludeSetTest : public TempDirTest {
 protected:
  void Write(const std::string& name, const std::string& text) {
    std::ofstream(dir_ + "/" + name) << text;
  }

  // The include set of a compile in dir_ whose dependency file lists `files`, with a search
  // path of -Ifirst -Isecond.
  absl::StatusOr<IncludeSet> Record(const std::vector<std::string>& files) {
    SearchPath search;
    search.angle = {dir_ + "/first", dir_ + "/second"};
    PathRewriter paths({}, dir_, dir_);
    // A compile that began well after the files were written.
    return RecordDependIncludeSet(dir_ + "/a.c", files, search, IncludeSetOptions{}, paths,
                                  IncludeSetBuilder(NowNs() + FileClockSlackNs() * 2, NowNs()));
  }

  std::vector<std::string> Absent(const IncludeSet& set) {
    std::vector<std::string> paths;
    for (const Absences& group : set.absences) {
      paths.insert(paths.end(), group.paths.begin(), group.paths.end());
    }
    return paths;
  }
};

TEST_F(DependIncludeSetTest, GuardsEveryDirectoryAListedFileIsIn) {
  std::filesystem::create_directories(dir_ + "/first");
  std::filesystem::create_directories(dir_ + "/second");
  Write("a.c", "#include <util.h>\n");
  Write("second/util.h", "#include \"inner.h\"\n");
  Write("first/inner.h", "");
  absl::StatusOr<IncludeSet> set =
      Record({dir_ + "/a.c", dir_ + "/second/util.h", dir_ + "/first/inner.h"});
  ASSERT_TRUE(set.ok()) << set.status();
  EXPECT_EQ(set->files.size(), 3u);
  // Which file included inner.h is not known: any quoted #include looked beside its includer.
  EXPECT_THAT(Absent(*set),
              ::testing::IsSupersetOf(std::vector<std::string>{"inner.h", dir_ + "/second/inner.h",
                                                               "util.h", dir_ + "/first/util.h"}));
}

TEST_F(DependIncludeSetTest, RefusesTimeMacrosAndIncbin) {
  Write("a.c", "const char* t = __TIME__;\n");
  EXPECT_FALSE(Record({dir_ + "/a.c"}).ok());
  Write("a.c", "asm(\".incbin \\\"blob\\\"\");\n");
  EXPECT_FALSE(Record({dir_ + "/a.c"}).ok());
  Write("a.c", "int a;\n");
  EXPECT_TRUE(Record({dir_ + "/a.c"}).ok());
}

}  // namespace
}  // namespace ddcc
