#include "launcher/debug_dir.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <string>
#include <vector>

#include "cache/util/bytes.h"

namespace ddcc {
namespace {

using std::string_literals::operator""s;

constexpr absl::string_view kCwd = "/tmp/pip-req-build-AAAAAAAA";
const EnvLookup kNoEnv = [](const char*) -> const char* { return nullptr; };
constexpr absl::string_view kOther = "/tmp/pip-req-build-BBBBBBBB";

struct Section {
  std::string name;
  uint64_t flags = 0;
  std::string content;
};

void Put(std::string& out, size_t at, uint64_t value, int size) {
  std::string bytes;
  AppendInteger(bytes, value, size);
  out.replace(at, size, bytes);
}

// An ELF64 little-endian relocatable file: the header, the sections' contents, then the
// section headers (a null one, the sections, the section names).
std::string Elf(std::vector<Section> sections) {
  std::string names(1, '\0');
  std::vector<size_t> name_at;
  for (const Section& section : sections) {
    name_at.push_back(names.size());
    names += section.name + '\0';
  }
  name_at.push_back(names.size());
  names += std::string(".shstrtab") + '\0';
  sections.push_back({.name = ".shstrtab", .content = names});

  std::string out(
      "\x7f"
      "ELF\x02\x01\x01",
      7);
  out.resize(64, '\0');
  std::vector<size_t> offsets;
  for (const Section& section : sections) {
    offsets.push_back(out.size());
    out += section.content;
  }
  const size_t table = out.size();
  out.resize(table + 64 * (sections.size() + 1), '\0');
  Put(out, 0x10, 1, 2);   // ET_REL
  Put(out, 0x12, 62, 2);  // x86-64
  Put(out, 0x28, table, 8);
  Put(out, 0x3a, 64, 2);
  Put(out, 0x3c, sections.size() + 1, 2);
  Put(out, 0x3e, sections.size(), 2);
  for (size_t i = 0; i < sections.size(); ++i) {
    const size_t header = table + 64 * (i + 1);
    Put(out, header, name_at[i], 4);
    Put(out, header + 0x04, 1, 4);  // SHT_PROGBITS
    Put(out, header + 0x08, sections[i].flags, 8);
    Put(out, header + 0x18, offsets[i], 8);
    Put(out, header + 0x20, sections[i].content.size(), 8);
  }
  return out;
}

std::string DebugStr(absl::string_view strings) {
  return Elf({{.name = ".debug_str", .content = std::string(strings)}});
}

TEST(DebugDirTest, ClangWithRelativePathsMayMove) {
  EXPECT_TRUE(MayMoveDebugDirectory(Family::kClang, "/usr/bin/clang",
                                    {"-g", "-O2", "-Iinclude", "-c", "src/x.c", "-o", "x.o"}, kCwd,
                                    kNoEnv));
}

TEST(DebugDirTest, GccNeverMoves) {
  EXPECT_FALSE(
      MayMoveDebugDirectory(Family::kGcc, "/usr/bin/gcc", {"-g", "-c", "x.c"}, kCwd, kNoEnv));
}

TEST(DebugDirTest, NothingMovesFromTheRoot) {
  EXPECT_FALSE(
      MayMoveDebugDirectory(Family::kClang, "/usr/bin/clang", {"-g", "-c", "x.c"}, "/", kNoEnv));
}

TEST(DebugDirTest, AnArgumentOrTheCompilerNamingTheDirectoryStays) {
  const std::string cwd(kCwd);
  for (const std::string& arg : {cwd + "/src/x.c", "-I" + cwd + "/include", "-DWHERE=" + cwd,
                                 "-I" + cwd + "X", "-o" + cwd + "/x.o"}) {
    EXPECT_FALSE(
        MayMoveDebugDirectory(Family::kClang, "/usr/bin/clang", {"-g", "-c", arg}, kCwd, kNoEnv))
        << arg;
  }
  EXPECT_FALSE(
      MayMoveDebugDirectory(Family::kClang, cwd + "/bin/clang", {"-g", "-c", "x.c"}, kCwd, kNoEnv));
}

TEST(DebugDirTest, OptionsThatReencodeOrMapTheDirectoryStay) {
  for (const char* option :
       {"-gz", "-gz=zlib", "-gsplit-dwarf", "-fdebug-types-section", "-flto", "-flto=thin",
        "-fembed-bitcode", "-emit-llvm", "-fno-integrated-as", "-no-integrated-as",
        "-Wa,--compress-debug-sections", "-mllvm", "-fdebug-prefix-map=/tmp/pip-req-build-B=/x",
        "-ffile-prefix-map=/usr=/u", "-fmacro-prefix-map=/a=/b", "-fdebug-compilation-dir=.",
        "-fdebug-compilation-dir", "-ffile-compilation-dir=."}) {
    EXPECT_FALSE(MayMoveDebugDirectory(Family::kClang, "/usr/bin/clang",
                                       {"-g", option, "-c", "x.c"}, kCwd, kNoEnv))
        << option;
  }
}

TEST(DebugDirTest, OverriddenOptionsStay) {
  const EnvLookup overriding = [](const char* name) -> const char* {
    return std::string_view(name) == "CCC_OVERRIDE_OPTIONS"
               ? "+-fdebug-prefix-map=/tmp/pip-req-build-B=/x"
               : nullptr;
  };
  EXPECT_TRUE(
      MayMoveDebugDirectory(Family::kClang, "/usr/bin/clang", {"-g", "-c", "x.c"}, kCwd, kNoEnv));
  EXPECT_FALSE(MayMoveDebugDirectory(Family::kClang, "/usr/bin/clang", {"-g", "-c", "x.c"}, kCwd,
                                     overriding));
}

TEST(DebugDirTest, ObjectNamingTheDirectoryAsItsOwnStringMoves) {
  const std::string cwd(kCwd);
  EXPECT_TRUE(CheckMovableObject(DebugStr("x.c\0"s + cwd + "\0int\0"s), kCwd).ok());
  EXPECT_TRUE(CheckMovableObject(DebugStr(cwd + '\0' + "src/x.c\0"s + cwd + '\0'), kCwd).ok());
}

TEST(DebugDirTest, TextsWritingStringsOfTheirOwnIntoDebugInformation) {
  EXPECT_TRUE(WritesOwnDebugStrings("int v __attribute__((btf_decl_tag(\"/a/\" \"b\")));"));
  EXPECT_TRUE(WritesOwnDebugStrings("int * __attribute__((btf_type_tag(\"t\"))) p;"));
  // An asm label is a declaration's linkage name, whole; pieces or escapes may spell a path.
  EXPECT_TRUE(WritesOwnDebugStrings("void f() asm(\"/tmp/\" \"d\");"));
  EXPECT_TRUE(WritesOwnDebugStrings("static int g(int) __asm__ (\"\\x2ftmp\");"));
  EXPECT_TRUE(WritesOwnDebugStrings("int h(void) __asm(\"\\057tmp\");"));
  // glibc's redirections, and inline assembly without such bytes.
  EXPECT_FALSE(WritesOwnDebugStrings(
      "extern int fscanf (FILE *, const char *, ...) __asm__ (\"\" \"__isoc99_fscanf\");"));
  EXPECT_FALSE(WritesOwnDebugStrings(
      "void f(void) { __asm__ volatile (\"nop\\n\\tnop\" ::: \"memory\"); }"));
  EXPECT_FALSE(WritesOwnDebugStrings("int basm(void); int asm_x = 1; const char *p = \"/a\";"));
}

// clang names other files relative to its directory; a longer string holding the name is the
// program's own (a btf_decl_tag's value), which a compile elsewhere keeps as it is.
TEST(DebugDirTest, ALongerStringHoldingTheDirectoryStays) {
  const std::string cwd(kCwd);
  EXPECT_FALSE(CheckMovableObject(DebugStr(cwd + "/src/x.c\0"s + cwd + '\0'), kCwd).ok());
  EXPECT_FALSE(CheckMovableObject(DebugStr(cwd + "\0/y"s + cwd + '\0'), kCwd).ok());
}

TEST(DebugDirTest, DirectoryInsideAnotherNameStays) {
  const std::string cwd(kCwd);
  EXPECT_FALSE(CheckMovableObject(DebugStr(cwd + '\0' + cwd + "X/y.h\0"s), kCwd).ok());
  EXPECT_FALSE(CheckMovableObject(DebugStr(cwd + '\0' + cwd + "-2\0"s), kCwd).ok());
  // At the very end of the file: nothing shows where the name ends.
  EXPECT_FALSE(CheckMovableObject(Elf({}) + cwd, kCwd).ok());
}

// Where clang names its directory; in the program's data the same bytes may come from a source
// that spells them otherwise ("/tmp/" "dir"), which a compile elsewhere keeps as they are.
TEST(DebugDirTest, OnlyTheDebugInformationsNamesMayHoldTheDirectory) {
  const std::string named = std::string(kCwd) + '\0';
  for (const char* section : {".debug_str", ".debug_line_str", ".debug_line"}) {
    EXPECT_TRUE(CheckMovableObject(Elf({{.name = section, .content = named}}), kCwd).ok())
        << section;
  }
  for (const char* section : {".rodata", ".data", ".debug_info", ".strtab"}) {
    EXPECT_FALSE(CheckMovableObject(Elf({{.name = ".debug_str", .content = named},
                                         {.name = section, .content = named}}),
                                    kCwd)
                     .ok())
        << section;
  }
}

TEST(DebugDirTest, ObjectNotNamingTheDirectoryStays) {
  EXPECT_FALSE(CheckMovableObject(DebugStr(std::string(kOther) + '\0'), kCwd).ok());
}

TEST(DebugDirTest, CompressedSectionsStay) {
  const std::string strings = std::string(kCwd) + '\0';
  EXPECT_FALSE(CheckMovableObject(
                   Elf({{.name = ".debug_str", .content = strings},
                        {.name = ".debug_info", .flags = 0x800, .content = std::string(32, 'z')}}),
                   kCwd)
                   .ok());
  EXPECT_FALSE(CheckMovableObject(Elf({{.name = ".debug_str", .content = strings},
                                       {.name = ".zdebug_info", .content = "ZLIB"}}),
                                  kCwd)
                   .ok());
}

TEST(DebugDirTest, OnlyWholeElfFilesMove) {
  const std::string elf = DebugStr(std::string(kCwd) + '\0');
  ASSERT_TRUE(CheckMovableObject(elf, kCwd).ok());
  std::string bitcode = elf;
  bitcode.replace(0, 4, "BC\xc0\xde");
  EXPECT_FALSE(CheckMovableObject(bitcode, kCwd).ok());
  std::string elf32 = elf;
  elf32[4] = '\x01';
  EXPECT_FALSE(CheckMovableObject(elf32, kCwd).ok());
  std::string big_endian = elf;
  big_endian[5] = '\x02';
  EXPECT_FALSE(CheckMovableObject(big_endian, kCwd).ok());
  // Cut inside the section headers, or the section names.
  EXPECT_FALSE(CheckMovableObject(elf.substr(0, elf.size() - 1), kCwd).ok());
  std::string names_beyond = elf;
  Put(names_beyond, IntegerAt(elf, 0x28, 8) + 64 * 2 + 0x20, 1 << 20, 8);
  EXPECT_FALSE(CheckMovableObject(names_beyond, kCwd).ok());
}

TEST(DebugDirTest, MoveRenamesEveryOccurrence) {
  const std::string a(kCwd), b(kOther);
  absl::StatusOr<std::string> moved =
      MoveObject(DebugStr(a + '\0' + a + "/src/x.c\0x.c\0"s), kCwd, kOther);
  ASSERT_TRUE(moved.ok()) << moved.status();
  EXPECT_EQ(*moved, DebugStr(b + '\0' + b + "/src/x.c\0x.c\0"s));
}

TEST(DebugDirTest, MoveReadsEachNameOnce) {
  // "/a/a" followed by "/a/x": the compiler's directory, then a file below it.
  absl::StatusOr<std::string> moved = MoveObject("/a/a/a/x", "/a/a", "/b/b");
  ASSERT_TRUE(moved.ok()) << moved.status();
  EXPECT_EQ(*moved, "/b/b/a/x");
}

TEST(DebugDirTest, MoveToAnotherLengthFails) {
  EXPECT_TRUE(absl::IsDataLoss(MoveObject("/tmp/a\0"s, "/tmp/a", "/tmp/ab").status()));
  EXPECT_TRUE(absl::IsDataLoss(MoveObject("x", "", "").status()));
}

}  // namespace
}  // namespace ddcc
