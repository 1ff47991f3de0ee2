#include "gtest/gtest.h"
#include "launcher/depfile.h"

namespace ddcc {
namespace {

// As gcc 12 and clang 14 write them for `-MD -MP -MT x.o`, compiled in /src/tree/build.
constexpr absl::string_view kGcc =
    "x.o: /src/tree/a.c \\\n"
    " /src/tree/include/sub/a_header_named_with_35_characters.h \\\n"
    " /usr/include/stdio.h /usr/include/features.h\n"
    "/src/tree/include/sub/a_header_named_with_35_characters.h:\n"
    "/usr/include/stdio.h:\n"
    "/usr/include/features.h:\n";
constexpr absl::string_view kClang =
    "x.o: /src/tree/a.c \\\n"
    "  /src/tree/include/sub/a_header_named_with_35_characters.h \\\n"
    "  /usr/include/stdio.h /usr/include/features.h\n"
    "\n"
    "/src/tree/include/sub/a_header_named_with_35_characters.h:\n"
    "\n"
    "/usr/include/stdio.h:\n"
    "\n"
    "/usr/include/features.h:\n";

PathRewriter Paths(std::string cwd) { return PathRewriter({"/src"}, cwd, cwd); }

TEST(PortableDepfileTest, RestoresTheSameFileInTheSameDirectory) {
  for (auto [family, text] : {std::pair{Family::kGcc, kGcc}, std::pair{Family::kClang, kClang}}) {
    absl::StatusOr<std::string> portable =
        MakePortableDepfile(text, {"x.o"}, family, Paths("/src/tree/build"));
    ASSERT_TRUE(portable.ok()) << portable.status();
    EXPECT_EQ(portable->find("/src/"), std::string::npos) << *portable;
    absl::StatusOr<std::string> restored =
        RestoreDepfile(*portable, {"x.o"}, family, "/src/tree/build");
    ASSERT_TRUE(restored.ok()) << restored.status();
    EXPECT_EQ(*restored, text);
  }
}

TEST(PortableDepfileTest, LaysOutAnotherDirectorysPathsAsTheCompilerWould) {
  absl::StatusOr<std::string> portable =
      MakePortableDepfile(kGcc, {"x.o"}, Family::kGcc, Paths("/src/tree/build"));
  ASSERT_TRUE(portable.ok()) << portable.status();
  absl::StatusOr<std::string> restored =
      RestoreDepfile(*portable, {"x.o"}, Family::kGcc, "/src/t/build");
  ASSERT_TRUE(restored.ok()) << restored.status();
  // The shorter paths leave room for the header on the first line, not for stdio.h.
  EXPECT_EQ(*restored,
            "x.o: /src/t/a.c /src/t/include/sub/a_header_named_with_35_characters.h \\\n"
            " /usr/include/stdio.h /usr/include/features.h\n"
            "/src/t/include/sub/a_header_named_with_35_characters.h:\n"
            "/usr/include/stdio.h:\n"
            "/usr/include/features.h:\n");
}

TEST(PortableDepfileTest, RefusesWhatItCannotLayOutAgain) {
  const PathRewriter paths = Paths("/src/tree/build");
  // A quoted space (no such file); another layout; no newline at the end; other targets.
  for (absl::string_view text : {"x.o: /src/a\\ b.h\n", "x.o: /src/a.c\\\n  /src/b.h\n",
                                 "x.o: /src/a.c", ": /src/a.c\n", "x.o /src/a.c\n"}) {
    EXPECT_FALSE(MakePortableDepfile(text, {"x.o"}, Family::kGcc, paths).ok()) << text;
  }
  // gcc's layout is not clang's.
  EXPECT_FALSE(MakePortableDepfile(kGcc, {"x.o"}, Family::kClang, paths).ok());
}

TEST(PortableDepfileTest, MalformedPortableFormIsDataLoss) {
  for (absl::string_view portable : {"", "rule\n/a.c", "1\n/a.c\n", "x\n"}) {
    EXPECT_TRUE(absl::IsDataLoss(RestoreDepfile(portable, {"x.o"}, Family::kGcc, "/src").status()))
        << portable;
  }
}

}  // namespace
}  // namespace ddcc
