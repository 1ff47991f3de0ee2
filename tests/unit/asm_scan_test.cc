#include "launcher/asm_scan.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace ddcc {
namespace {

using ::testing::Optional;

// Ways C text can give the assembler a directive that reads a file.
TEST(AsmScanTest, FindsDirectivesHoweverTheLiteralsSpellThem) {
  for (absl::string_view text : {
           R"(asm(".incbin \"data.bin\"");)",
           R"(asm(".INCBIN \"data.bin\"");)",
           R"(asm(".in" "cbin \"data.bin\"");)",
           "asm(\".in\"\n# 3 \"a.c\"\n  /* -C */ \"cbin \\\"data.bin\\\"\");",
           R"(asm("\x2eincbin \"data.bin\"");)",
           R"(asm("\056incbin \"data.bin\"");)",
           R"(asm("\x{2e}incbin \"data.bin\"");)",
           R"(asm("\u002eincbin \"data.bin\"");)",
           R"(asm(R"x(.incbin "data.bin")x");)",
           R"(int x __attribute__((section(".data\n.include \"a.s\"\n#"))) = 1;)",
           "#pragma GCC x \".include\"\n",
       }) {
    EXPECT_TRUE(ScanCText(text).has_value()) << text;
  }
  EXPECT_THAT(ScanCText(R"(asm(".InClUdE \"a.s\"");)"), Optional(std::string(".include")));
}

TEST(AsmScanTest, FindsWhatBuildsNamesInTheAssembler) {
  EXPECT_THAT(ScanCText(R"(asm(".macro m a\n.\\a \"f\"\n.endm\nm incbin");)"),
              Optional(std::string(".macro")));
  EXPECT_THAT(ScanCText(R"(asm(".irpc c,x\n.endr");)"), Optional(std::string(".irpc")));
  EXPECT_THAT(ScanCText(R"(asm(".mri 1");)"), Optional(std::string(".mri")));
  EXPECT_THAT(ScanCText(R"(asm(".irep s,bin\n.inc\\s \"d\"\n.endr");)"),
              Optional(std::string(".irep")));
  EXPECT_TRUE(ScanCText(R"(void f(void) { asm(".%c0 \"data.bin\"" :: "i"(&incbin)); })"));
  EXPECT_TRUE(ScanCText(R"(void f(void) { __asm__ volatile ("nop\n1: .in%c0" :: "s"(x)); })"));
  EXPECT_TRUE(ScanCText("void f(void) { __asm { .incbin \"data.bin\" } }"));
  EXPECT_TRUE(ScanCText(R"(const char* s = "\N{FULL STOP}incbin";)"));
}

TEST(AsmScanTest, ReadsLiteralsNotCode) {
  for (absl::string_view text : {
           "int f(void) { return s.include + x.macro; }\n",
           "# 1 \"/src/a.include/b.h\" 1\n",
           R"(const char* s = "." ; const char* t = "incbin";)",  // not adjacent
           R"(int n = 1'000'000; const char* s = "'";)",
           R"(char c = '"'; char d = u8'\''; const char* s = "a";)",
           R"(void f(void) { asm volatile ("1%=: jmp 1%=b\n\tmovl %0, %%eax" :: "r"(x)); })",
           R"(int f(void) { printf("%.2f%%\n", 1.0); return 0; })",
           R"(const char* s = "//"; const char* t = "/*"; const char* u = "*/";)",
           // Names that hold a directive's: no directive starts or ends inside a name.
           R"(const char* k = "paths.include_dirs"; const char* a = "MyApp.Include";)",
           R"(const char* m = "opts.macro_expand"; const char* i = ".irpcx";)",
       }) {
    EXPECT_EQ(ScanCText(text), std::nullopt) << text;
  }
}

// A digit separator or a character literal must not hide the literal after it.
TEST(AsmScanTest, LiteralsAfterTrickyTokensAreStillRead) {
  EXPECT_TRUE(ScanCText(R"(int n = 1'000; asm(".incbin \"d\"");)"));
  EXPECT_TRUE(ScanCText(R"(char c = '"'; asm(".incbin \"d\"");)"));
  EXPECT_TRUE(ScanCText(R"(char c = '\''; asm(".incbin \"d\"");)"));
  EXPECT_TRUE(ScanCText("const char* s = R\"(\")\"; asm(\".incbin \\\"d\\\"\");"));
  EXPECT_TRUE(ScanCText("const char* s = \"\\\n.incbin\";"));  // a spliced line, in a raw source
}

TEST(AsmScanTest, AssemblerTextIsSearchedItself) {
  EXPECT_THAT(ScanAssemblerText(".section .rodata\n.INCBIN \"data.bin\"\n"),
              Optional(std::string(".incbin")));
  EXPECT_THAT(ScanAssemblerText("  .include \"defs.s\"\n"), Optional(std::string(".include")));
  EXPECT_EQ(ScanAssemblerText(".globl f\nf: ret\n"), std::nullopt);
}

// gas drops a /* */ comment before it reads the line.
TEST(AsmScanTest, DirectivesJoinedAcrossAComment) {
  EXPECT_THAT(ScanAssemblerText(".section .rodata\n.inc/**/bin \"data.bin\"\n"),
              Optional(std::string(".incbin")));
  EXPECT_THAT(ScanCText("__asm__(\".inc/* x */bin \\\"d\\\"\");"),
              Optional(std::string(".incbin")));
  EXPECT_TRUE(HoldsLineTableDirective(".lo/**/c 1 3 0\n"));
  EXPECT_EQ(ScanAssemblerText(".globl f /* .inc */ bin\n"), std::nullopt);
}

}  // namespace
// A raw source's literals that a macro between them joins only once preprocessed.
TEST(AsmScanTest, ARawLiteralEndingInTheStartOfAFileDirective) {
  EXPECT_TRUE(ScanRawCText("#define B \"bin\"\nasm(\"blob: .inc\" B \" \\\"d\\\"\");\n"));
  EXPECT_TRUE(ScanRawCText("asm(\".INCL\" UDE \" \\\"x.s\\\"\");\n"));
  EXPECT_TRUE(ScanRawCText("asm(\".i\" REST);\n"));
  EXPECT_FALSE(ScanRawCText("puts(\"done.\"); puts(\"a.c\"); puts(\"v1.incx\");\n"));
  EXPECT_FALSE(ScanRawCText("x.inc(); y.in = 1;\n"));
  // A header's name, a file's name in a comment, a literal no macro follows.
  EXPECT_FALSE(ScanRawCText("#include \"int128_have_intrinsic.inc\"\n"));
  EXPECT_FALSE(ScanRawCText("/* made from \"sqlite.h.in\" by a script */\n"));
  EXPECT_FALSE(ScanRawCText("if (ext == \".in\") return; strcat(p, \".inc\");\n"));
}

TEST(AsmScanTest, LineTableDirectivesInAssemblerOrInlineAssembly) {
  EXPECT_TRUE(HoldsLineTableDirective("\t.file 1 \"x.c\"\n"));
  EXPECT_TRUE(HoldsLineTableDirective(".LOC 1 3 0\n"));
  EXPECT_TRUE(HoldsLineTableDirective("__asm__(\".file 1 \\\"x.c\\\"\\n.loc 1 3 0\");"));
  EXPECT_FALSE(HoldsLineTableDirective(".local f\n.filler\n"));
  EXPECT_FALSE(HoldsLineTableDirective("opts.file = f; pos.loc = g(x).loc ;\n"));
  // A designated initializer is no directive; gas reads any expression as the file number.
  EXPECT_FALSE(HoldsLineTableDirective("struct site s = { .file = __FILE__, .loc = 3 };\n"));
  EXPECT_TRUE(HoldsLineTableDirective("asm(\".loc %0 3\" :: \"i\"(1));\n"));
  EXPECT_TRUE(HoldsLineTableDirective(".set FN, 1\n.file FN \"x.c\"\n.loc (FN) 3\n"));
  // A name without a number is the file symbol's, as gcc's own first line (`.file "m.c"`).
  EXPECT_FALSE(HoldsLineTableDirective("\t.file \"m.c\"\n\t.text\n"));
  EXPECT_FALSE(HoldsLineTableDirective("__asm__(\".file \\\"asmname.c\\\"\");\n"));
  EXPECT_TRUE(HoldsLineTableDirective("\t.file \"m.c\"\n\t.loc 1 3 0\n"));
}

}  // namespace ddcc
