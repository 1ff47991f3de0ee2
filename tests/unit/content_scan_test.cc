#include "launcher/content_scan.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "launcher/preprocessor_text.h"

namespace ddcc {
namespace {

using std::string_literals::operator""s;

using ::testing::ElementsAre;

TEST(ContentScanTest, ScansTimeMacrosAndProbes) {
  ContentScan scan = ScanContent(
      "#if __has_include(<tbb/tbb.h>)\n#endif // __has_include\n"
      "#if defined __has_include && __has_include_next ( \"cfg.h\" )\n#endif\n"
      "#ifdef __has_include\n#elif defined(__has_include)\n#endif /* __has_include */\n");
  EXPECT_FALSE(scan.time_macro);
  EXPECT_FALSE(scan.date_macro);
  EXPECT_FALSE(scan.computed_probe);
  EXPECT_THAT(scan.probes, ElementsAre(ContentScan::Probe{"tbb/tbb.h", false, false},
                                       ContentScan::Probe{"cfg.h", true, true}));
  EXPECT_TRUE(ScanContent("#if __has_include(HEADER)").computed_probe);
  EXPECT_TRUE(ScanContent("const char* d = __DATE__;").date_macro);
  EXPECT_FALSE(ScanContent("const char* d = __DATE__;").time_macro);
  EXPECT_TRUE(ScanContent("x = __TIME__;").time_macro);
  ContentScan stamp = ScanContent("x = __TIMESTAMP__;");
  EXPECT_TRUE(stamp.timestamp_macro);
  EXPECT_FALSE(stamp.time_macro);
  EXPECT_FALSE(stamp.date_macro);
}

// What the preprocessor joins or drops before it reads tokens must not hide them from the scan.
TEST(ContentScanTest, ReadsTheTextAsThePreprocessorDoes) {
  EXPECT_THAT(ScanContent("#if __has_include /* c */ (\"x.h\")\n#endif\n").probes,
              ElementsAre(ContentScan::Probe{"x.h", true}));
  EXPECT_THAT(ScanContent("#if __has_\\\ninclude(<y.h>)\n#endif\n").probes,
              ElementsAre(ContentScan::Probe{"y.h", false}));
  EXPECT_THAT(ScanContent("#if __has_include(\\\n \"z.h\" \\  \n)\n").probes,
              ElementsAre(ContentScan::Probe{"z.h", true}));
  EXPECT_TRUE(ScanContent("const char* t = __TI\\\nME__;").time_macro);
  EXPECT_TRUE(ScanContent("const char* t = __TIME\\\r\n__;").time_macro);
  EXPECT_FALSE(ScanContent("// __TIME__ in a comment\n/* __DATE__ */").time_macro);
  EXPECT_FALSE(ScanContent("// __TIME__ in a comment\n/* __DATE__ */").date_macro);
  // A line comment that a splice continues hides the next line; a string does not open one.
  EXPECT_FALSE(ScanContent("// a \\\n__TIME__\n").time_macro);
  EXPECT_TRUE(ScanContent("const char* s = \"//\"; const char* t = __TIME__;").time_macro);
  EXPECT_TRUE(ScanContent("int n = 1'000; /* x */ char c = '\"'; auto t = __TIME__;").time_macro);
  // A lone CR ends a line for gcc and clang: a splice, and the end of a line comment.
  EXPECT_TRUE(ScanContent("const char* t = __TI\\\rME__;").time_macro);
  EXPECT_TRUE(ScanContent("// a\r const char* t = __TIME__;").time_macro);
  EXPECT_TRUE(ScanContent("#pragma GCC depen\\\rdency \"d.txt\"\n").pragma_dependency);
  EXPECT_THAT(ScanContent("#if __has_include(\"op\\\rt.h\")\n#endif\n").probes,
              ElementsAre(ContentScan::Probe{"opt.h", true}));
  // NUL, VT and FF are blanks to both compilers, also within a splice.
  EXPECT_TRUE(ScanContent("#pragma GCC\vdependency\v\"d.txt\"\n").pragma_dependency);
  EXPECT_TRUE(ScanContent("#pragma GCC depen\\\0\ndency \"d.txt\"\n"s).pragma_dependency);
  EXPECT_TRUE(ScanContent("int a;\n\0# 1 \"x.c\"\n"s).line_marker);
  EXPECT_TRUE(ScanContent("int a; /* ?\?/ \n */\n").trigraph_splice);
  EXPECT_TRUE(ScanContent("?\?=import \"x.h\"\n").import_directive);
  // Within <...>, a comment's opening is part of the name.
  EXPECT_TRUE(ScanContent("#if __has_include(<x/*c*/y.h>)\n#endif\n").computed_probe);
  EXPECT_TRUE(ScanContent("#if __has_include(<x//y.h>)\n#endif\n").computed_probe);
  EXPECT_TRUE(ScanContent("#if __has_include(<x)/*c*/y.h>)\n#endif\n").computed_probe);
  EXPECT_FALSE(ScanContent("#if __has_include(<x/y.h>) /* c */\n#endif\n").computed_probe);
}

// Probes through a macro: `text` scanned, then its calls of the probe macros read.
ContentScan ScanWithProbeMacros(const std::string& content) {
  ScannedText text;
  ContentScan scan = ScanContent(content, &text);
  absl::flat_hash_set<std::string> macros(scan.probe_macros.begin(), scan.probe_macros.end());
  for (bool grew = true; grew;) {
    grew = false;
    for (std::string& macro : ScanProbeMacroCalls(text, macros, nullptr)) {
      grew |= macros.insert(macro).second;
    }
  }
  ScanProbeMacroCalls(text, macros, &scan);
  return scan;
}

TEST(ContentScanTest, HasIncludeUnderAnotherName) {
  ContentScan alias = ScanContent("#define HAS __has_include\n#if HAS(\"x.h\")\n#endif\n");
  EXPECT_FALSE(alias.computed_probe);
  EXPECT_THAT(alias.probe_macros, ElementsAre("HAS"));
  // A macro's call may be __has_include_next's.
  EXPECT_THAT(ScanWithProbeMacros("#define HAS __has_include\n#if HAS(\"x.h\")\n#endif\n").probes,
              ElementsAre(ContentScan::Probe{"x.h", true, true}));
  EXPECT_THAT(ScanContent("#define HAS_undefined __has_include\n").probe_macros,
              ElementsAre("HAS_undefined"));
  EXPECT_FALSE(ScanContent("#if defined(__has_include)\n#endif\n").computed_probe);
  // More than the callee in an object-like body, or the argument not the parameter.
  EXPECT_TRUE(ScanContent("#define HAS __has_include X\n").computed_probe);
  EXPECT_TRUE(ScanContent("#define HAS(x, y) __has_include(x)\n").computed_probe);
  EXPECT_TRUE(ScanContent("#define HAS(x) __has_include(y)\n").computed_probe);
  EXPECT_TRUE(ScanContent("#define HAS(x) __has_include(x y)\n").computed_probe);
  EXPECT_TRUE(ScanContent("int v = HAS(x) + __has_include(x);\n").computed_probe);
  // Pasted from three pieces and more.
  EXPECT_TRUE(ScanContent("#define C(a,b,c) a##b##c\n#if C(__has,_incl,ude)(<y.h>)\n#endif\n")
                  .computed_probe);
  EXPECT_TRUE(ScanContent("#define C(a,b,c,d) a##b##c##d\n#if C(__ha,s_in,cl,ude)(<y.h>)\n#endif\n")
                  .computed_probe);
  // libstdc++ names variables __h, and pastes elsewhere.
  EXPECT_FALSE(ScanContent("#define P(a) a##_t\nsize_t __h = hash(__k);\n").computed_probe);
  // In C, 1'a/*' is a number and a character literal: no comment hides the probe.
  EXPECT_THAT(
      ScanContent("#if 0\n1'a/*'\n#endif\n#if __has_include(<y.h>)\n#endif\n/* */\n").probes,
      ElementsAre(ContentScan::Probe{"y.h", false}));
}

// fmt, Hedley and others wrap __has_include in a macro of their own.
TEST(ContentScanTest, ProbeMacroCallsAreProbes) {
  const std::string wrapper =
      "#ifdef __has_include\n#  define LIB_HAS_INCLUDE(x) __has_include(x)\n#else\n"
      "#  define LIB_HAS_INCLUDE(x) 0\n#endif\n";
  ContentScan scan = ScanWithProbeMacros(
      wrapper +
      "#if LIB_HAS_INCLUDE(<string_view>) && LIB_HAS_INCLUDE( \"cfg.h\" )\n#endif\n"
      "#undef LIB_HAS_INCLUDE\n#ifdef LIB_HAS_INCLUDE\n#endif\n");
  EXPECT_FALSE(scan.computed_probe);
  EXPECT_THAT(scan.probes, ElementsAre(ContentScan::Probe{"string_view", false, true},
                                       ContentScan::Probe{"cfg.h", true, true}));
  // A macro passing its argument on to a probe macro is one too; a body may hold more.
  scan = ScanWithProbeMacros(wrapper +
                             "#define HAS_STD(h) (LIB_HAS_INCLUDE(h) && 1)\n"
                             "#if HAS_STD(<span>)\n#endif\n");
  EXPECT_FALSE(scan.computed_probe);
  EXPECT_THAT(scan.probes, ElementsAre(ContentScan::Probe{"span", false, true}));
  // Any other use computes what it probes.
  for (const char* use : {"#if LIB_HAS_INCLUDE(HEADER)\n", "int v = CALL(LIB_HAS_INCLUDE);\n",
                          "#if CALL(LIB_HAS_INCLUDE, <x.h>)\n", "#if CAT(LIB_HAS_, INCLUDE)(<x>)\n",
                          "#if CAT(L, IB_HAS_INCLUDE)(<x>)\n", "#if LIB_HAS_INCLUDE(<a.h> X)\n",
                          "#if LIB_HAS_IN\\\nCLUDE(HEADER)\n"}) {
    EXPECT_TRUE(ScanWithProbeMacros(wrapper + use).computed_probe) << use;
  }
  // Comments are not uses; literals are read like the rest, which is only stricter.
  EXPECT_FALSE(ScanWithProbeMacros(wrapper + "// LIB_HAS_INCLUDE(X)\n").computed_probe);
  EXPECT_TRUE(
      ScanWithProbeMacros(wrapper + "const char* s = \"LIB_HAS_INCLUDE(X)\";\n").computed_probe);
}

TEST(ContentScanTest, PiecesOfHasIncludeForPastingAreComputed) {
  EXPECT_TRUE(ScanContent("#if CAT(__has_,include)(<foo.h>)\n#endif\n").computed_probe);
  EXPECT_TRUE(ScanContent("#if CAT(__, has_include)(<foo.h>)\n#endif\n").computed_probe);
  EXPECT_FALSE(ScanContent("-I/usr/include\n-Iinclude\n-I/x/clude\n").computed_probe);
  EXPECT_FALSE(ScanContent("size_t __h = __hash_code(__k); __ha = 1;").computed_probe);
  EXPECT_FALSE(ScanContent("#define M(N) struct __has_##N {};\n#include <a.h>\n").computed_probe);
  EXPECT_TRUE(ScanContent("#if CAT(__has_, include)(<foo.h>)\n#endif\n").computed_probe);
  EXPECT_TRUE(ScanContent("#if CAT(__h, as_include)(<foo.h>)\n#endif\n").computed_probe);
  EXPECT_TRUE(ScanContent("#define C(a, b, c) a##b##c\n#if C(__ha, s_, include)(<f.h>)\n#endif\n")
                  .computed_probe);
  // `##` spelt as a digraph or a trigraph, each `#` either way.
  EXPECT_TRUE(ScanContent("#define C(a, b) a#?\?=b\n#if C(__h, as_include)(<f.h>)\n#endif\n")
                  .computed_probe);
  EXPECT_TRUE(ScanContent("#define C(a, b) a%:%:b\n#if C(__h, as_include)(<f.h>)\n#endif\n")
                  .computed_probe);
  EXPECT_TRUE(ScanContent("#define C(a, b) a?\?=?\?=b\n#if C(__h, as_include)(<f.h>)\n#endif\n")
                  .computed_probe);
  EXPECT_FALSE(
      ScanContent("#include <a.h>\n# include \"b.h\"\n#include_next <c.h>\n").computed_probe);
}

TEST(ContentScanTest, DefinesOneOfReadsDirectivesOnly) {
  const absl::flat_hash_set<std::string> names = {"linux", "foo"};
  for (const char* text : {"#define linux 1\n", "  #  define foo(x) x\n", "%:define foo\n",
                           "?\?=define foo\n", "int a;\n# define\tlinux\n"}) {
    EXPECT_TRUE(DefinesOneOf(text, names)) << text;
  }
  for (const char* text : {"#define linuxes 1\n", "#undef linux\n", "#ifdef foo\n",
                           "int define = foo;\n", "x # define foo\n", "#define bar foo\n"}) {
    EXPECT_FALSE(DefinesOneOf(text, names)) << text;
  }
}

TEST(ContentScanTest, FindsPragmaOnceAndDependency) {
  EXPECT_TRUE(ScanContent("#pragma once\n").pragma_once);
  EXPECT_TRUE(ScanContent("_Pragma(\"once\")\n").pragma_once);
  // Through a macro; and so a variable of that name too, which costs at most a refused set.
  EXPECT_TRUE(ScanContent("#define P(x) _Pragma(#x)\nP(once)\n").pragma_once);
  EXPECT_TRUE(ScanContent("int once;\n").pragma_once);
  EXPECT_FALSE(ScanContent("std::once_flag f; std::call_once(f, g);\n").pragma_once);
  EXPECT_TRUE(ScanContent("#pragma GCC depend\\\nency \"f.h\"\n").pragma_dependency);
  EXPECT_TRUE(ScanContent("#define G GCC\nXPRAGMA(G dependency \"f.h\")\n").pragma_dependency);
  EXPECT_FALSE(ScanContent("int dependency = 1;\n").pragma_dependency);
  EXPECT_TRUE(ScanContent("%:import \"h.h\"\n").import_directive);
}

TEST(ContentScanTest, FindsLineMarkerDirectives) {
  EXPECT_TRUE(ScanContent("# 1 \"other.h\" 1\n").line_marker);
  EXPECT_TRUE(ScanContent("int a;\n  #  12 \"x.c\"\n").line_marker);
  EXPECT_TRUE(ScanContent("/* a */ # 3 \"x.c\"\n").line_marker);
  EXPECT_TRUE(ScanContent("%: 3 \"x.c\"\n").line_marker);
  // After a lone CR (a line's end), or a byte order mark (skipped at a file's start).
  EXPECT_TRUE(ScanContent("int a;\r# 1 \"x.c\"\r").line_marker);
  EXPECT_TRUE(ScanContent("\xef\xbb\xbf# 1 \"x.c\" 1\n").line_marker);
  EXPECT_FALSE(ScanContent("#line 3 \"x.y\"\n#define A 1\nint a = A # 1;\n").line_marker);
}

// Where the reading may be wrong (a raw string, trigraphs), the raw text is scanned too.
TEST(ContentScanTest, AmbiguousTextIsAlsoScannedRaw) {
  bool ambiguous = false;
  StripCommentsAndSplices("int a; // x\n", ambiguous);
  EXPECT_FALSE(ambiguous);
  StripCommentsAndSplices("auto s = R\"(/*)\";\n", ambiguous);
  EXPECT_TRUE(ambiguous);
  EXPECT_TRUE(ScanContent("auto s = R\"x(/*)x\"; auto t = __TIME__; // */\n").time_macro);
  EXPECT_TRUE(ScanContent("// comment ?\?/\n#if __has_include(X)\n#endif\n").computed_probe);
}

TEST(ContentScanTest, StripsCommentsKeepsLiterals) {
  bool ambiguous = false;
  EXPECT_EQ(StripCommentsAndSplices("a /* b */ c // d\n\"/*\" '/' e\\\nf", ambiguous),
            "a   c  \n\"/*\" '/' ef");
}

}  // namespace
}  // namespace ddcc
