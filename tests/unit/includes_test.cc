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
  // An #include <...> does not begin beside its includer.
  EXPECT_THAT(
      *ShadowCandidates({"/usr/include/stdio.h", "src", false}, search),
      UnorderedElementsAre("quoted/stdio.h", "include/stdio.h", "/usr/local/include/stdio.h"));
  EXPECT_THAT(candidates("/opt/abs.h", "src"), IsEmpty());  // an absolute #include
  EXPECT_FALSE(ShadowCandidates({"elsewhere/x.h", "src"}, search).ok());
  // "../x.h" found in include/: include/../x.h, tried first beside the includer and in quoted/.
  EXPECT_THAT(candidates("include/../x.h", "src"), IsSupersetOf({"src/../x.h", "quoted/../x.h"}));
}

TEST(IncludesTest, ProbeCandidates) {
  SearchPath search = *ParseSearchPath(kVerbose);
  EXPECT_THAT(ProbeCandidates({"x.h", true}, "src", search),
              ElementsAre("src/x.h", "quoted/x.h", "include/x.h", "/usr/local/include/x.h",
                          "/usr/include/x.h"));
  EXPECT_THAT(ProbeCandidates({"x.h", false}, "src", search),
              ElementsAre("include/x.h", "/usr/local/include/x.h", "/usr/include/x.h"));
}

class SearchedPlacesTest : public TempDirTest {};

// A directory where a header is searched for (src/memory for <memory>) is passed over: the
// places go on to the file found.
TEST_F(SearchedPlacesTest, PassOverADirectory) {
  std::filesystem::create_directories(dir_ + "/src/memory");
  std::filesystem::create_directories(dir_ + "/later");
  std::filesystem::create_directories(dir_ + "/sys");
  std::ofstream(dir_ + "/sys/memory") << "";
  SearchPath search;
  search.angle = {dir_ + "/src", dir_ + "/later", dir_ + "/sys"};
  EXPECT_THAT(SearchedPlaces({"memory", false, false, dir_ + "/a.cc"}, search),
              ElementsAre(dir_ + "/src/memory", dir_ + "/later/memory", dir_ + "/sys/memory"));
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
                                  IncludeSetBuilder(NowNs() + FileClockSlackNs() * 2, NowNs()),
                                  &date_macro_);
  }

  bool date_macro_ = false;

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
  EXPECT_FALSE(date_macro_);
}

// __DATE__ is allowed: the caller keeps the result to its day.
TEST_F(DependIncludeSetTest, SaysAFileNamesTheDate) {
  Write("a.c", "#include \"d.h\"\n");
  Write("d.h", "const char* d = __DATE__;\n");
  absl::StatusOr<IncludeSet> set = Record({dir_ + "/a.c", dir_ + "/d.h"});
  ASSERT_TRUE(set.ok()) << set.status();
  EXPECT_TRUE(date_macro_);
}

}  // namespace
}  // namespace ddcc
