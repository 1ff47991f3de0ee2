#include "launcher/preprocessed_input.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace ddcc {
namespace {

using ::testing::Optional;
using std::string_literals::operator""s;

// What `gcc -E` and `clang -E` write: line markers, pragmas, #ident.
TEST(PreprocessedInputTest, PassesWhatPreprocessorsWrite) {
  EXPECT_EQ(ScanPreprocessedInput("# 0 \"a.c\"\n# 1 \"/usr/include/stdio.h\" 1 3 4\n"
                                  "#pragma GCC diagnostic push\n  # 7 \"a.c\" 2\n"
                                  "#pragma omp parallel\n#ident \"v1\"\n#\nint x;\n"),
            std::nullopt);
  EXPECT_EQ(ScanPreprocessedInput("const char* s = \"__DATE_ # include\";\n"), std::nullopt);
}

// clang runs its preprocessor over a .i; gcc reads a precompiled header that -fpch-preprocess
// leaves named in one.
TEST(PreprocessedInputTest, RefusesWhatReadsAFileTheClockOrTheName) {
  EXPECT_THAT(ScanPreprocessedInput("int x = 8 /\0*p;\n#include \"h.h\"\n\"*/\";\n"s),
              Optional(std::string("#include in a preprocessed source")));
  EXPECT_THAT(ScanPreprocessedInput("int a;\n\0#include \"h.h\"\n"s),
              Optional(std::string("#include in a preprocessed source")));
  EXPECT_THAT(ScanPreprocessedInput("int a;\n#include \"h.h\"\n"),
              Optional(std::string("#include in a preprocessed source")));
  EXPECT_THAT(ScanPreprocessedInput("#pragma GCC pch_preprocess \"h.h.gch\"\n"),
              Optional(std::string("#pragma pch_preprocess")));
  for (absl::string_view text : {
           "#define X 1\n",
           "#if __has_include(\"h.h\")\n#endif\n",
           "%:include \"h.h\"\n",
           "/* c */ # /* c */ include \"h.h\"\n",
           "#\\\ninclude \"h.h\"\n",
           "#line 4 \"b.c\"\n",
           "#pragma GCC dependency \"h.h\"\n",
           "#pragma clang module import m\n",
           "#pragma include_alias(\"a.h\", \"b.h\")\n",
           "const char* d = __DATE__;\n",
           "const char* t = __TIME__;\n",
           "const char* s = __TIMESTAMP__;\n",
           "const char* f = __FILE__;\n",
           "const char* b = __BASE_FILE__;\n",
           "const char* n = __FILE_NAME__;\n",
           "_Pragma(\"GCC dependency \\\"h.h\\\"\")\n",
           "const char* d = __DA\\\nTE__;\n",
           // What either compiler reads as a line's end, a splice, a '#' or a blank.
           "int a;\r#include \"h.h\"\n",
           "# 1 \"a.c\"\r#pragma GCC pch_preprocess \"h.h.gch\"\n",
           "int a;\n\?\?=include \"h.h\"\n",
           "const char* t = __TI\?\?/\nME__;\n",
           "const char* t = __TI\\\rME__;\n",
           "\xef\xbb\xbf#include \"h.h\"\n",
           "int a;\n\xc2\xa0#include \"h.h\"\n",
           "int a;\n\f\v#include \"h.h\"\n",
           // Without trigraphs (clang's gnu modes) the comment ends here; a NUL is a blank.
           "int a; // x?\?/\n#include \"h.h\"\n",
       }) {
    EXPECT_TRUE(ScanPreprocessedInput(text).has_value()) << text;
  }
}

}  // namespace
}  // namespace ddcc
