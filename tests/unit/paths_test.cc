#include "launcher/paths.h"

#include <gtest/gtest.h>
#include <limits.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"

namespace ddcc {
namespace {

const PathRewriter kPaths({"/src", "/tmp/build"}, "/src/a/build", "/src/a/build");

TEST(PathsTest, RelativeBelowABaseDirectory) {
  EXPECT_EQ(kPaths.Relative("/src/a/build/gen.h"), "gen.h");
  EXPECT_EQ(kPaths.Relative("/src/a/include/util.h"), "../include/util.h");
  EXPECT_EQ(kPaths.Relative("/src/b/x.c"), "../../b/x.c");
  EXPECT_EQ(kPaths.Relative("/src/a/build"), ".");
  EXPECT_EQ(kPaths.Relative("/src/a/build//"), ".//");  // gcc's working-directory marker
  EXPECT_EQ(kPaths.Relative("/src/a/include/"), "../include/");
  EXPECT_EQ(kPaths.Relative("/tmp/build/x.h"), "../../../tmp/build/x.h");
}

TEST(PathsTest, OtherPathsStayAsTheyAre) {
  for (const char* path : {"/usr/include/stdio.h", "/srcs/x.h", "/tmp/x.h", "include/util.h",
                           "<built-in>", "/", "//"}) {
    EXPECT_EQ(kPaths.Relative(path), path);
    EXPECT_EQ(kPaths.KeyForm(path), path);
  }
}

// CMake spells a directory beside the source directory `${CMAKE_SOURCE_DIR}/../lib`: the rest
// after the part shared with the working directory keeps its spelling, behind a "." mark.
TEST(PathsTest, DotsAndDoubledSlashesKeepTheirSpelling) {
  EXPECT_EQ(kPaths.Relative("/src/a/../lib/x.h"), ".././../lib/x.h");
  EXPECT_EQ(kPaths.Relative("/src/lib/x.h"), "../../lib/x.h");
  EXPECT_EQ(kPaths.Relative("/src/a/./x.h"), "../././x.h");
  EXPECT_EQ(kPaths.Relative("/src//a/x.h"), "../.././/a/x.h");
  EXPECT_EQ(kPaths.Relative("/src/a/build/../lib/"), "./../lib/");
  EXPECT_EQ(kPaths.Relative("/src/a/build//x.h"), ".//x.h");
  // The same spelling in another tree has the same form.
  EXPECT_EQ(PathRewriter({"/src"}, "/src/b/build", "/src/b/build").KeyForm("/src/b/../lib/x.h"),
            kPaths.KeyForm("/src/a/../lib/x.h"));
}

// Every form gives its path back: two paths never share a form.
TEST(PathsTest, RelativeFormsGiveThePathBack) {
  const std::vector<std::string> pieces = {"src", "a", "build", "x.h", ".", "..", "", "lib"};
  for (const char* cwd : {"/src/a/build", "/src", "/"}) {
    PathRewriter paths({"/"}, cwd, cwd);
    for (int n = 0; n < 8 * 8 * 8 * 8; ++n) {
      std::string path;
      for (int i = 0, m = n; i < 4; ++i, m /= 8) absl::StrAppend(&path, "/", pieces[m % 8]);
      for (const std::string& spelled : {path, path + "/", path + "//"}) {
        std::string relative = paths.Relative(spelled);
        if (relative == spelled) continue;
        EXPECT_EQ(AbsoluteFrom(cwd, relative), spelled) << cwd << " " << relative;
        EXPECT_NE(relative.front(), '/') << spelled;
      }
    }
  }
}

TEST(PathsTest, RootAsBaseDirectory) {
  PathRewriter paths({"/"}, "/home/u", "/home/u");
  EXPECT_EQ(paths.Relative("/usr/include/stdio.h"), "../../usr/include/stdio.h");
  EXPECT_EQ(PathRewriter({"/"}, "/", "/").Relative("/usr/x.h"), "usr/x.h");
}

TEST(PathsTest, KeyFormNeverEqualsAPathTheUserWrote) {
  EXPECT_NE(kPaths.KeyForm("/src/a/build/gen.h"), "gen.h");
  EXPECT_EQ(kPaths.KeyForm("/src/a/build/gen.h"),
            PathRewriter({"/src"}, "/src/b/build", "/src/b/build").KeyForm("/src/b/build/gen.h"));
  EXPECT_EQ(Readable(kPaths.KeyForm("/src/a/include")), "$CWD/../include");
}

TEST(PathsTest, KeyArguments) {
  EXPECT_EQ(Readable(kPaths.KeyArgument("-I/src/a/include", true)), "-I$CWD/../include");
  EXPECT_EQ(Readable(kPaths.KeyArgument("/src/a/include", true)), "$CWD/../include");
  EXPECT_EQ(Readable(kPaths.KeyArgument("-isystem/src/a/sys", true)), "-isystem$CWD/../sys");
  EXPECT_EQ(Readable(kPaths.KeyArgument("-include/src/a/build/config.h", true)),
            "-include$CWD/config.h");
  EXPECT_EQ(Readable(kPaths.KeyArgument("-ffile-prefix-map=/src/a/build=.", false)),
            "-ffile-prefix-map=$CWD/.=.");
  // Values that are not paths, and compile arguments the object may record.
  EXPECT_EQ(kPaths.KeyArgument("-DDIR=\"/src/a\"", true), "-DDIR=\"/src/a\"");
  EXPECT_EQ(kPaths.KeyArgument("/src/a/sysroot", false), "/src/a/sysroot");
  EXPECT_EQ(kPaths.KeyArgument("-fsanitize-ignorelist=/src/a/x", false),
            "-fsanitize-ignorelist=/src/a/x");
  EXPECT_EQ(PathRewriter({}, "/src/a/build", "/src/a/build").KeyArgument("-I/src/a/include", true),
            "-I/src/a/include");
}

TEST(PathsTest, FileIn) {
  EXPECT_EQ(kPaths.FileIn("-I/src/a/include"), "/src/a/include");
  EXPECT_EQ(kPaths.FileIn("/src/a/main.c"), "/src/a/main.c");
  EXPECT_EQ(kPaths.FileIn("-iquote/x"), "/x");
  EXPECT_EQ(kPaths.FileIn("-Iinclude"), "");
  EXPECT_EQ(kPaths.FileIn("-DX=/src"), "");
  EXPECT_EQ(kPaths.FileIn("-fdebug-prefix-map=/src/a=."), "");
  EXPECT_TRUE(kPaths.BelowBase("/src"));
  EXPECT_TRUE(kPaths.BelowBase("/src/a/./x.h"));
  EXPECT_FALSE(kPaths.BelowBase("/srcs/x.h"));
  EXPECT_FALSE(kPaths.BelowBase(""));
}

TEST(PathsTest, SameInMappedDebugInfo) {
  EXPECT_TRUE(kPaths.SameInMappedDebugInfo("/src/a/build/x.h"));
  EXPECT_TRUE(kPaths.SameInMappedDebugInfo("/src/a/build//"));
  EXPECT_TRUE(kPaths.SameInMappedDebugInfo("/usr/include/stdio.h"));
  EXPECT_FALSE(kPaths.SameInMappedDebugInfo("/src/a/include/x.h"));    // below a base, unmapped
  EXPECT_FALSE(kPaths.SameInMappedDebugInfo("/src/a/buildings/x.h"));  // mapped as a string
  EXPECT_FALSE(kPaths.SameInMappedDebugInfo("/src/a/build/../x.h"));
}

TEST(PathsTest, MappedRests) {
  using Rests = std::optional<std::vector<std::string>>;
  const std::string cwd = "/src/a/build";
  EXPECT_EQ(MappedRests({"-g", "-fdebug-prefix-map=/src/a/build=."}, cwd), Rests({""}));
  EXPECT_EQ(MappedRests({"-ffile-prefix-map=/src/a/build=/x", "-fdebug-prefix-map=/o=."}, cwd),
            Rests({""}));
  EXPECT_EQ(MappedRests({"-g"}, cwd), Rests(std::vector<std::string>()));
  EXPECT_EQ(MappedRests({"-fmacro-prefix-map=/src/a/build=."}, cwd),
            Rests(std::vector<std::string>()));
  // A map of a directory above: the rest goes into the key.
  EXPECT_EQ(MappedRests({"-fdebug-prefix-map=/src/a=."}, cwd), Rests({"/build"}));
  EXPECT_EQ(MappedRests({"-fdebug-prefix-map=/src/a/=."}, cwd), Rests({"build"}));
  EXPECT_EQ(MappedRests({"-fdebug-prefix-map=/src/a/build/=."}, cwd),
            Rests(std::vector<std::string>()));
  EXPECT_EQ(MappedRests({"-fdebug-prefix-map=/src/a/build=.", "-fdebug-prefix-map=/src=/s"}, cwd),
            Rests({"", "/a/build"}));
  // gcc maps a part of a name, clang does not.
  EXPECT_EQ(MappedRests({"-fdebug-prefix-map=/src/a/bu=."}, cwd), std::nullopt);
}

TEST(PathsTest, SameInMappedDebugInfoUnderMapsOfOtherDirectories) {
  const PathRewriter paths({"/t"}, "/t/a/b", "/t/a/b",
                           {"-ffile-prefix-map=/t/a/b=/build", "-ffile-prefix-map=/t/a/s=/src",
                            "-ffile-prefix-map=/opt/x=/x"});
  EXPECT_TRUE(paths.SameInMappedDebugInfo("/t/a/s/inc/h.h"));
  EXPECT_FALSE(paths.SameInMappedDebugInfo("/t/a/other/h.h"));  // below a base, unmapped
  EXPECT_TRUE(paths.SameInMappedDebugInfo("/opt/x/h.h"));
  EXPECT_FALSE(paths.SameInMappedDebugInfo("/t/a/s/../h.h"));
  // OLD outside the base directories, the path below one: the rest names the tree.
  const PathRewriter above({"/t/a"}, "/t/a/b", "/t/a/b", {"-ffile-prefix-map=/t=/top"});
  EXPECT_FALSE(above.SameInMappedDebugInfo("/t/a/s/h.h"));
}

TEST(PathsTest, LineMarkers) {
  const std::string text =
      "# 0 \"/src/a/main.c\"\n"
      "# 1 \"/src/a/build//\"\n"
      "# 1 \"<built-in>\"\n"
      "# 1 \"/src/a/include/u.h\" 1\n"
      "int x = 1;\n"
      "const char* f = \"/src/a/main.c\";\n"
      "# 3 \"/usr/include/stdio.h\" 2 3 4\n"
      "# 4 \"/src/a/we\\\"ird.h\"\n";
  MarkedText marked = RewriteLineMarkers(kPaths, text);
  EXPECT_EQ(Readable(marked.text),
            "# 0 \"$CWD/../main.c\"\n"
            "# 1 \"$CWD/.//\"\n"
            "# 1 \"<built-in>\"\n"
            "# 1 \"$CWD/../include/u.h\" 1\n"
            "int x = 1;\n"
            "const char* f = \"/src/a/main.c\";\n"
            "# 3 \"/usr/include/stdio.h\" 2 3 4\n"
            "# 4 \"/src/a/we\\\"ird.h\"\n");
  EXPECT_TRUE(marked.changed);
  EXPECT_FALSE(marked.same_in_mapped_debug);
  EXPECT_FALSE(marked.names_position);
  EXPECT_TRUE(kPaths.NamesBaseDir(marked.text));  // the string literal

  // Only a line's first '#' followed by a number opens a marker.
  const std::string others =
      "#pragma once\nint y; # 5 \"/src/a/main.c\"\n#define S \"# 6 \\\"/src/a/x.h\\\"\"\n";
  EXPECT_EQ(RewriteLineMarkers(kPaths, others).text, others);

  MarkedText plain = RewriteLineMarkers(kPaths, "# 1 \"main.c\"\nint x;");
  EXPECT_EQ(plain.text, "# 1 \"main.c\"\nint x;");
  EXPECT_FALSE(plain.changed);
  EXPECT_TRUE(plain.same_in_mapped_debug);
}

// The compilers name the working directory as $PWD spells it, when it names that directory.
// A unity source of CMake in two trees, each including its sources by absolute paths.
TEST(PathsTest, ContentNamingItsTreeIsKeyedAlikeInEveryTreeOfItsLength) {
  const PathRewriter a({"/src"}, "/src/a/build", "/src/a/build");
  const PathRewriter b({"/src"}, "/src/b/build", "/src/b/build");
  const PathRewriter longer({"/src"}, "/src/bb/build", "/src/bb/build");
  auto key = [](const PathRewriter& paths, absl::string_view content) {
    bool rewrote = false;
    Digest digest = paths.ContentKey(content, &rewrote);
    return std::make_pair(digest.Hex(), rewrote);
  };
  const std::string unity = "/* generated */\n#include \"/src/$/x.c\"\n#include </src/$/y.c>\n";
  auto in = [&](absl::string_view tree) { return absl::StrReplaceAll(unity, {{"$", tree}}); };
  EXPECT_EQ(key(a, in("a")), key(b, in("b")));
  EXPECT_TRUE(key(a, in("a")).second);
  // Columns after the path would move: another length is another key.
  EXPECT_NE(key(a, in("a")).first, key(longer, in("bb")).first);
  // Another file, or the other tree's file named from here.
  EXPECT_NE(key(a, in("a")).first, key(b, absl::StrReplaceAll(in("b"), {{"y.c", "z.c"}})).first);
  EXPECT_NE(key(a, in("a")).first, key(b, in("a")).first);
  // Nothing below a base directory: the content's own digest.
  Hasher plain;
  plain.Update("#include \"/usr/x.h\" /* /srcx/a */\n");
  EXPECT_EQ(key(a, "#include \"/usr/x.h\" /* /srcx/a */\n"),
            std::make_pair(plain.Finish().Hex(), false));
  // A comment, a string and a message's "file:line" end a path too.
  EXPECT_EQ(key(a, "// /src/a/x.c:3: note\nconst char* p = \"/src/a/y\";"),
            key(b, "// /src/b/x.c:3: note\nconst char* p = \"/src/b/y\";"));
}

TEST(PathsTest, CompilerWorkingDirectoryIsPwdWhereItHolds) {
  char cwd[PATH_MAX];
  ASSERT_NE(getcwd(cwd, sizeof(cwd)), nullptr);
  const std::string spelled = absl::StrCat(cwd, "/.");
  auto pwd = [](const char* value) {
    return [value](const char* name) -> const char* {
      return std::string_view(name) == "PWD" ? value : nullptr;
    };
  };
  EXPECT_EQ(CompilerWorkingDirectory(cwd, pwd(spelled.c_str())), spelled);
  EXPECT_EQ(CompilerWorkingDirectory(cwd, pwd(nullptr)), cwd);
  EXPECT_EQ(CompilerWorkingDirectory(cwd, pwd("relative")), cwd);
  if (std::string_view(cwd) != "/") {
    EXPECT_EQ(CompilerWorkingDirectory(cwd, pwd("/")), cwd);
  }
}

TEST(PathsTest, TextNamingItsPosition) {
  // A raw string whose line may read as a marker or a directive, or that does not end.
  for (const char* text :
       {"auto s = R\"(\n# 1 \"/src/x\"\n)\";", "auto s = u8R\"x(\n  \t#include <x.h>\n)x\";",
        "auto s = R\"(\n",
        // An opener in an ordinary literal whose end lies in a real one.
        "auto d = \" R\"\"a(\";\nauto s = R\"z(first\n)\"a\"\n# 5 \"/x.h\"\n)z\";"}) {
    EXPECT_TRUE(RewriteLineMarkers(kPaths, text).raw_string_marker) << text;
  }
  for (const char* text :
       {"puts(\"ERROR\");", "printf(\"%R\", x);", "f(\"R\")", "auto s = u8R\"x()x\";",
        "auto j = R\"({\"a\": 1,\n \"b\": \"#\"})\";"}) {
    EXPECT_FALSE(RewriteLineMarkers(kPaths, text).raw_string_marker) << text;
  }
  // __builtin_FILE() of a file whose marker was rewritten, unless each macro prefix map of it maps
  // it from below a base directory.
  const std::string asks = "# 1 \"/src/a/include/u.h\"\nauto f = __builtin_FILE();\n";
  EXPECT_TRUE(RewriteLineMarkers(kPaths, asks).names_position);
  EXPECT_FALSE(RewriteLineMarkers(kPaths, "auto f = __builtin_FILE();\n").names_position);
  const auto with_maps = [&asks](std::vector<std::string> maps) {
    const PathRewriter paths({"/src"}, "/src/a/build", "/src/a/build", std::move(maps));
    return RewriteLineMarkers(paths, asks).names_position;
  };
  EXPECT_FALSE(with_maps({"-ffile-prefix-map=/src/a=."}));
  EXPECT_FALSE(with_maps({"-fmacro-prefix-map=/src/a/include/=inc/"}));
  EXPECT_TRUE(with_maps({"-fdebug-prefix-map=/src/a=."}));
  EXPECT_TRUE(with_maps({"-fmacro-prefix-map=/=x/"}));            // from above the base directory
  EXPECT_TRUE(with_maps({"-fmacro-prefix-map=/src/a/inc=inc"}));  // the middle of a name
  EXPECT_TRUE(with_maps({"-ffile-prefix-map=/src/a=.", "-fmacro-prefix-map=/=x/"}));
}

}  // namespace
}  // namespace ddcc
