#include "launcher/args.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "launcher/depfile.h"

namespace ddcc {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::Not;
using Args = std::vector<std::string>;
using enum Uncacheable;

// One command line and what ParseArgs must make of it. A row with `reason` expects NotCacheable
// (and `detail` if given); any other row expects a CompileRequest with exactly the given fields.
struct Case {
  std::string name = {};
  Args args = {};
  Family family = Family::kGcc;
  std::optional<Uncacheable> reason = {};
  std::string detail = {};
  std::string language = {};
  std::string source = {};
  std::string object = {};
  std::string dep_file = {};  // empty: no dependency file
  Args dep_targets = {};
  Args dep_options = {};
  std::optional<Args> preprocess = {};  // exact preprocess_args
  std::optional<Args> hashed = {};      // exact hashed_args
  Args hashed_has = {};                 // in hashed_args
  Args hashed_lacks = {};               // not in hashed_args (but in preprocess_args if there)
  Args extra_inputs = {};
  std::vector<std::pair<std::string, std::string>> aux_outputs = {};
  bool names_itself = false;
  bool debug_info = false;
  bool explicit_color = false;
};

// gtest prints a failing row by its name rather than its bytes.
void PrintTo(const Case& c, std::ostream* os) { *os << c.name; }

Args Split(absl::string_view s) {
  Args out;
  size_t i = 0;
  while (i < s.size()) {
    size_t j = s.find(' ', i);
    if (j == absl::string_view::npos) j = s.size();
    if (j > i) out.emplace_back(s.substr(i, j - i));
    i = j + 1;
  }
  return out;
}

const Case kCases[] = {
    // Build systems, as they write command lines.
    {.name = "CMakeNinja",
     .args = Split("-DFOO -I/src/include -O3 -DNDEBUG -std=gnu++17 -fPIC -MD -MT "
                   "CMakeFiles/foo.dir/src/a.cpp.o -MF CMakeFiles/foo.dir/src/a.cpp.o.d -o "
                   "CMakeFiles/foo.dir/src/a.cpp.o -c /src/a.cpp"),
     .language = "c++",
     .source = "/src/a.cpp",
     .object = "CMakeFiles/foo.dir/src/a.cpp.o",
     .dep_file = "CMakeFiles/foo.dir/src/a.cpp.o.d",
     .dep_targets = {"CMakeFiles/foo.dir/src/a.cpp.o"},
     .dep_options = {"-MD"},
     .preprocess = Split("-DFOO -I/src/include -O3 -DNDEBUG -std=gnu++17 -fPIC /src/a.cpp"),
     .hashed = Split("-O3 -std=gnu++17 -fPIC")},
    {.name = "CMakeNinjaClang",
     .args = Split("-DFOO -I/src/include -O3 -DNDEBUG -std=gnu++17 -fPIC -MD -MT "
                   "CMakeFiles/foo.dir/src/a.cpp.o -MF CMakeFiles/foo.dir/src/a.cpp.o.d -o "
                   "CMakeFiles/foo.dir/src/a.cpp.o -c /src/a.cpp"),
     .family = Family::kClang,
     .language = "c++",
     .source = "/src/a.cpp",
     .object = "CMakeFiles/foo.dir/src/a.cpp.o",
     .dep_file = "CMakeFiles/foo.dir/src/a.cpp.o.d",
     .dep_targets = {"CMakeFiles/foo.dir/src/a.cpp.o"},
     .dep_options = {"-MD"},
     .preprocess = Split("-DFOO -I/src/include -O3 -DNDEBUG -std=gnu++17 -fPIC /src/a.cpp"),
     .hashed = Split("-O3 -std=gnu++17 -fPIC")},
    {.name = "CMakeMakefiles",
     .args = Split("-DFOO_EXPORTS -I../include -isystem ../third_party -O2 -g -Wall -MD -MT "
                   "src/CMakeFiles/foo.dir/a.c.o -MF CMakeFiles/foo.dir/a.c.o.d -o "
                   "CMakeFiles/foo.dir/a.c.o -c ../../src/a.c"),
     .language = "c",
     .source = "../../src/a.c",
     .object = "CMakeFiles/foo.dir/a.c.o",
     .dep_file = "CMakeFiles/foo.dir/a.c.o.d",
     .dep_targets = {"src/CMakeFiles/foo.dir/a.c.o"},
     .dep_options = {"-MD"},
     .preprocess = Split("-DFOO_EXPORTS -I../include -isystem ../third_party -O2 -g -Wall "
                         "../../src/a.c"),
     .hashed = Split("-O2 -g -Wall"),
     .debug_info = true},
    {.name = "SetuptoolsCython",
     .args = Split("-Wno-unused-result -Wsign-compare -DNDEBUG -g -fwrapv -O2 -Wall -g "
                   "-fstack-protector-strong -Wformat -Werror=format-security -g -fwrapv -O2 "
                   "-fPIC -I/usr/include/python3.11 -c build/foo.c -o "
                   "build/temp.linux-x86_64-cpython-311/build/foo.o"),
     .language = "c",
     .source = "build/foo.c",
     .object = "build/temp.linux-x86_64-cpython-311/build/foo.o",
     .preprocess = Split("-Wno-unused-result -Wsign-compare -DNDEBUG -g -fwrapv -O2 -Wall -g "
                         "-fstack-protector-strong -Wformat -Werror=format-security -g -fwrapv "
                         "-O2 -fPIC -I/usr/include/python3.11 build/foo.c"),
     .hashed = Split("-Wno-unused-result -Wsign-compare -g -fwrapv -O2 -Wall -g "
                     "-fstack-protector-strong -Wformat -Werror=format-security -g -fwrapv -O2 "
                     "-fPIC"),
     .debug_info = true},
    {.name = "SetuptoolsCxx",
     .args = Split("-Wno-unused-result -Wsign-compare -DNDEBUG -g -fwrapv -O2 -Wall -fPIC "
                   "-I/usr/include/python3.11 -c src/ext.cpp -o "
                   "build/temp.linux-x86_64-cpython-311/src/ext.o -std=c++17"),
     .language = "c++",
     .source = "src/ext.cpp",
     .object = "build/temp.linux-x86_64-cpython-311/src/ext.o",
     .hashed = Split("-Wno-unused-result -Wsign-compare -g -fwrapv -O2 -Wall -fPIC -std=c++17"),
     .debug_info = true},
    {.name = "RustCcCrate",
     .args = Split("-O0 -ffunction-sections -fdata-sections -fPIC -g -gdwarf-4 "
                   "-fno-omit-frame-pointer -m64 -Wall -Wextra -o /path/out/abc-foo.o -c foo.c"),
     .language = "c",
     .source = "foo.c",
     .object = "/path/out/abc-foo.o",
     .preprocess = Split("-O0 -ffunction-sections -fdata-sections -fPIC -g -gdwarf-4 "
                         "-fno-omit-frame-pointer -m64 -Wall -Wextra foo.c"),
     .hashed = Split("-O0 -ffunction-sections -fdata-sections -fPIC -g -gdwarf-4 "
                     "-fno-omit-frame-pointer -m64 -Wall -Wextra"),
     .debug_info = true},
    {.name = "LinuxKernelStyle",
     .args = Split("-Wp,-MMD,drivers/.foo.o.d -nostdinc -I./include -include "
                   "./include/linux/kconfig.h -D__KERNEL__ -O2 -c -o drivers/foo.o drivers/foo.c"),
     .language = "c",
     .source = "drivers/foo.c",
     .object = "drivers/foo.o",
     .dep_file = "drivers/.foo.o.d",
     .dep_targets = {"foo.o"},  // cc1's default: -Wp bypasses the driver's -MQ <object>
     .dep_options = {"-MMD"},
     .preprocess = Split("-nostdinc -I./include -include ./include/linux/kconfig.h -D__KERNEL__ "
                         "-O2 drivers/foo.c"),
     .hashed = Args{"-O2"}},
    {.name = "LinuxKernelStyleClang",
     .args = Split("-Wp,-MMD,drivers/.foo.o.d -O2 -c -o drivers/foo.o drivers/foo.c"),
     .family = Family::kClang,
     .language = "c",
     .source = "drivers/foo.c",
     .object = "drivers/foo.o",
     .dep_file = "drivers/.foo.o.d",
     .dep_targets = {"drivers/foo.o"},  // clang turns -Wp,-MMD,f into -MMD -MF f
     .dep_options = {"-MMD"},
     .hashed = Args{"-O2"}},

    // Languages.
    {.name = "XBeforeSource",
     .args = Split("-x c++ -c foo.c"),
     .language = "c++",
     .source = "foo.c",
     .object = "foo.o",
     .preprocess = Split("-x c++ foo.c"),
     .hashed = Split("-x c++")},
    {.name = "XAfterSourceDoesNotApply",
     .args = Split("-c foo.c -x c++"),
     .language = "c",
     .source = "foo.c",
     .object = "foo.o",
     .preprocess = Split("foo.c -x c++"),
     .hashed_has = {"-x", "c++"}},
    {.name = "XJoined",
     .args = Split("-xc -c foo.cpp"),
     .language = "c",
     .source = "foo.cpp",
     .object = "foo.o",
     .hashed = Args{"-xc"}},
    {.name = "XNone",
     .args = Split("-x c++ -x none -c foo.c"),
     .language = "c",
     .source = "foo.c",
     .object = "foo.o"},
    {.name = "XAssemblerWithCpp",
     .args = Split("-x assembler-with-cpp -c start.asm"),
     .language = "assembler-with-cpp",
     .source = "start.asm",
     .object = "start.o"},
    {.name = "XHeader", .args = Split("-x c-header -c foo.h"), .reason = kUnsupportedLanguage},
    {.name = "XCuda", .args = Split("-x cuda -c foo.c"), .reason = kUnsupportedLanguage},
    {.name = "CxxSuffixes",
     .args = Split("-c dir.v2/Foo.C"),
     .language = "c++",
     .source = "dir.v2/Foo.C",
     .object = "Foo.o"},
    {.name = "SuffixCp",
     .args = Split("-c a.cp"),
     .language = "c++",
     .source = "a.cp",
     .object = "a.o"},
    {.name = "SuffixCPP",
     .args = Split("-c a.CPP"),
     .language = "c++",
     .source = "a.CPP",
     .object = "a.o"},
    {.name = "SuffixCxx",
     .args = Split("-c a.c++"),
     .language = "c++",
     .source = "a.c++",
     .object = "a.o"},
    {.name = "AsmWithCpp",
     .args = Split("-c src/start.S"),
     .language = "assembler-with-cpp",
     .source = "src/start.S",
     .object = "start.o"},
    {.name = "AsmSxGcc",
     .args = Split("-c start.sx"),
     .language = "assembler-with-cpp",
     .source = "start.sx",
     .object = "start.o"},
    {.name = "AsmSxClang",  // clang 14 takes .sx for a linker input
     .args = Split("-c start.sx"),
     .family = Family::kClang,
     .reason = kUnsupportedLanguage},
    {.name = "AsmNoCpp",
     .args = Split("-c start.s"),
     .language = "assembler",
     .source = "start.s",
     .object = "start.o",
     .preprocess = Split("start.s"),
     .hashed = Args{}},
    {.name = "AsmNoCppDependencyFile",
     .args = Split("-MD -c start.s"),
     .reason = kUnsupportedOption,
     .detail = "a dependency file for a source read as it is"},
    // What the preprocessor wrote; the C++ drivers compile a .i as C++ (gcc 12, clang 14).
    {.name = "Preprocessed",
     .args = Split("-c a.i"),
     .language = "cpp-output",
     .source = "a.i",
     .object = "a.o"},
    {.name = "PreprocessedCxx",
     .args = Split("-c a.ii"),
     .family = Family::kClang,
     .language = "c++-cpp-output",
     .source = "a.ii",
     .object = "a.o"},
    {.name = "PreprocessedNamed",
     .args = Split("-x cpp-output -c a.txt"),
     .language = "cpp-output",
     .source = "a.txt",
     .object = "a.o"},
    {.name = "PreprocessedDependencyFile",
     .args = Split("-MMD -c a.ii"),
     .reason = kUnsupportedOption,
     .detail = "a dependency file for a source read as it is"},
    {.name = "ObjC", .args = Split("-c a.m"), .reason = kUnsupportedLanguage},
    {.name = "ObjCxx", .args = Split("-c a.mm"), .reason = kUnsupportedLanguage},
    {.name = "Cuda", .args = Split("-c a.cu"), .reason = kUnsupportedLanguage},
    {.name = "Fortran", .args = Split("-c a.f90"), .reason = kUnsupportedLanguage},
    {.name = "HeaderMakesPch", .args = Split("-c a.h"), .reason = kUnsupportedLanguage},
    {.name = "UpperCC",
     .args = Split("-c a.CC"),
     .reason = kUnsupportedLanguage},  // gcc: linker input
    {.name = "NoSuffix", .args = Split("-c src/prog"), .reason = kUnsupportedLanguage},
    {.name = "NoSuffixWithX",
     .args = Split("-x c -c src/prog"),
     .language = "c",
     .source = "src/prog",
     .object = "prog.o"},

    // Outputs.
    {.name = "OutputBeforeC",
     .args = Split("-o out/a.o -c a.c"),
     .language = "c",
     .source = "a.c",
     .object = "out/a.o",
     .preprocess = Args{"a.c"},
     .hashed = Args{}},
    {.name = "ArgsAfterOutput",
     .args = Split("-c a.c -o out.o -O2 -Wall"),
     .language = "c",
     .source = "a.c",
     .object = "out.o",
     .preprocess = Split("a.c -O2 -Wall"),
     .hashed = Split("-O2 -Wall")},
    {.name = "OutputJoined",
     .args = Split("-c a.c -oobj/a.o"),
     .language = "c",
     .source = "a.c",
     .object = "obj/a.o",
     .hashed = Args{}},
    {.name = "LastOutputWins",
     .args = Split("-c a.c -o x1.o -o x2.o"),
     .language = "c",
     .source = "a.c",
     .object = "x2.o"},
    {.name = "DefaultObjectInCwd",
     .args = Split("-c src/a.b.c"),
     .language = "c",
     .source = "src/a.b.c",
     .object = "a.b.o"},
    {.name = "OutputToStdout", .args = Split("-c a.c -o -"), .reason = kOutputToStdout},
    {.name = "OutputMissing", .args = Split("-c a.c -o"), .reason = kUnsupportedOption},

    // Dependency files; targets and names as gcc 12 and clang 14 write them.
    {.name = "MdDefaultsFromSource",
     .args = Split("-c src/a.c -MD"),
     .language = "c",
     .source = "src/a.c",
     .object = "a.o",
     .dep_file = "a.d",
     .dep_targets = {"a.o"},
     .dep_options = {"-MD"},
     .preprocess = Args{"src/a.c"}},
    {.name = "MdFromObject",
     .args = Split("-c src/a.c -MMD -MP -o obj/a.o"),
     .language = "c",
     .source = "src/a.c",
     .object = "obj/a.o",
     .dep_file = "obj/a.d",
     .dep_targets = {"obj/a.o"},
     .dep_options = {"-MMD", "-MP"},
     .hashed = Args{}},
    {.name = "MdObjectWithoutSuffix",
     .args = Split("-c src/a.c -MD -o obj.x/foo"),
     .language = "c",
     .source = "src/a.c",
     .object = "obj.x/foo",
     .dep_file = "obj.x/foo.d",
     .dep_targets = {"obj.x/foo"},
     .dep_options = {"-MD"}},
    {.name = "MdObjectTwoDots",
     .args = Split("-c src/a.c -MD -o obj/a.b.o"),
     .language = "c",
     .source = "src/a.c",
     .object = "obj/a.b.o",
     .dep_file = "obj/a.b.d",
     .dep_targets = {"obj/a.b.o"},
     .dep_options = {"-MD"}},
    {.name = "MdHiddenObject",
     .args = Split("-c src/a.c -MD -o obj/.foo"),
     .language = "c",
     .source = "src/a.c",
     .object = "obj/.foo",
     .dep_file = "obj/.d",
     .dep_targets = {"obj/.foo"},
     .dep_options = {"-MD"}},
    {.name = "MdQuotedObject",
     .args = {"-c", "src/a.c", "-MD", "-o", "obj/a b$c#d\\ e.o"},
     .language = "c",
     .source = "src/a.c",
     .object = "obj/a b$c#d\\ e.o",
     .dep_file = "obj/a b$c#d\\ e.d",
     .dep_targets = {"obj/a\\ b$$c\\#d\\\\\\ e.o"},
     .dep_options = {"-MD"}},
    {.name = "MdGccDropsDotSlash",
     .args = Split("-c src/a.c -MMD -o ./obj/a.o"),
     .language = "c",
     .source = "src/a.c",
     .object = "./obj/a.o",
     .dep_file = "./obj/a.d",
     .dep_targets = {"obj/a.o"},
     .dep_options = {"-MMD"}},
    {.name = "MdClangKeepsDotSlash",
     .args = Split("-c src/a.c -MMD -o ./obj/a.o"),
     .family = Family::kClang,
     .language = "c",
     .source = "src/a.c",
     .object = "./obj/a.o",
     .dep_file = "./obj/a.d",
     .dep_targets = {"./obj/a.o"},
     .dep_options = {"-MMD"}},
    {.name = "MfLastWins",
     .args = Split("-c a.c -MF y.d -MD -MF z.d"),
     .language = "c",
     .source = "a.c",
     .object = "a.o",
     .dep_file = "z.d",
     .dep_targets = {"a.o"},
     .dep_options = {"-MD"}},
    {.name = "MfJoined",
     .args = Split("-c a.c -MD -MFdeps/a.d -MTtarget"),
     .language = "c",
     .source = "a.c",
     .object = "a.o",
     .dep_file = "deps/a.d",
     .dep_targets = {"target"},
     .dep_options = {"-MD"}},
    {.name = "TargetsGccOrder",  // gcc puts -MT targets first and rotates the -MQ ones
     .args = {"-c", "a.c", "-MMD", "-o", "obj/a.o", "-MQ", "q1", "-MT", "t1", "-MQ", "q$2", "-MT",
              "t2"},
     .language = "c",
     .source = "a.c",
     .object = "obj/a.o",
     .dep_file = "obj/a.d",
     .dep_targets = {"t1", "t2", "q1", "q$$2"},
     .dep_options = {"-MMD"}},
    {.name = "TargetsGccRotation",
     .args = Split("-c a.c -MD -MQ q1 -MQ q2 -MQ q3 -MT t1"),
     .language = "c",
     .source = "a.c",
     .object = "a.o",
     .dep_file = "a.d",
     .dep_targets = {"t1", "q2", "q3", "q1"},
     .dep_options = {"-MD"}},
    {.name = "TargetsClangOrder",
     .args = {"-c", "a.c", "-MMD", "-o", "obj/a.o", "-MQ", "q1", "-MT", "t1", "-MQ", "q$2", "-MT",
              "t2"},
     .family = Family::kClang,
     .language = "c",
     .source = "a.c",
     .object = "obj/a.o",
     .dep_file = "obj/a.d",
     .dep_targets = {"q1", "t1", "q$$2", "t2"},
     .dep_options = {"-MMD"}},
    {.name = "TargetsVerbatimAndQuoted",
     .args = {"-c", "a.c", "-MMD", "-MT", "x y$z#w", "-MQ", "a b$c#d.o"},
     .language = "c",
     .source = "a.c",
     .object = "a.o",
     .dep_file = "a.d",
     .dep_targets = {"x y$z#w", "a\\ b$$c\\#d.o"},
     .dep_options = {"-MMD"}},
    {.name = "WpMdWithTarget",
     .args = Split("-c a.c -Wp,-MD,x.d -MT foo -o obj/a.o"),
     .language = "c",
     .source = "a.c",
     .object = "obj/a.o",
     .dep_file = "x.d",
     .dep_targets = {"foo"},
     .dep_options = {"-MD"}},
    {.name = "WpMdAndMd", .args = Split("-c a.c -Wp,-MD,x.d -MD"), .reason = kUnsupportedOption},
    {.name = "WpOtherM", .args = Split("-c a.c -Wp,-MT,foo"), .reason = kUnsupportedOption},
    {.name = "WpNoLineMarkers", .args = Split("-c a.c -Wp,-DX,-P"), .reason = kUnsupportedOption},
    {.name = "WpPreprocessed",
     .args = Split("-c a.c -Wp,-fpreprocessed"),
     .reason = kUnsupportedOption},
    {.name = "TimingsOfGcc", .args = Split("-c a.c -Q"), .reason = kUnsupportedOption},
    {.name = "StatisticsOfGxx", .args = Split("-c a.cc -fstats"), .reason = kUnsupportedOption},
    {.name = "VtableVerifyLogs",
     .args = Split("-fvtable-verify=std -fvtv-counts -c a.cc"),
     .reason = kUnsupportedOption},
    {.name = "WpMdWithoutFile", .args = Split("-c a.c -Wp,-MD"), .reason = kUnsupportedOption},
    // cc1 reads a response file given to it itself, and applies its options to code generation.
    {.name = "WpResponseFile", .args = Split("-c a.c -Wp,-DX,@opts"), .reason = kUnsupportedOption},
    {.name = "MfWithoutMd", .args = Split("-c a.c -MF a.d"), .reason = kUnsupportedOption},
    {.name = "MtWithoutMd", .args = Split("-c a.c -MT a.o"), .reason = kUnsupportedOption},
    {.name = "MgWithMd", .args = Split("-c a.c -MD -MG"), .reason = kUnsupportedOption},
    {.name = "MWithMdMakesNoObject",
     .args = Split("-M -MD -c a.c -o a.o"),
     .reason = kCalledForPreprocessing},
    {.name = "MmWithMmd",
     .args = Split("-MM -MF q.d -MMD -c a.c"),
     .reason = kCalledForPreprocessing},
    {.name = "MAlone", .args = Split("-M a.c"), .reason = kCalledForPreprocessing, .detail = "-M"},
    {.name = "MOther", .args = Split("-c a.c -MD -MV"), .reason = kUnsupportedOption},

    // Preprocessor-only options: in preprocess_args, not hashed. Separate values are no inputs.
    {.name = "SeparateArguments",
     .args = Split("-I inc -D X=1 -U Y -include pre.h -imacros m.h -isystem sys -iquote q "
                   "-idirafter late -iprefix p/ -iwithprefix w -iwithprefixbefore wb -c a.c"),
     .language = "c",
     .source = "a.c",
     .object = "a.o",
     .preprocess = Split("-I inc -D X=1 -U Y -include pre.h -imacros m.h -isystem sys -iquote q "
                         "-idirafter late -iprefix p/ -iwithprefix w -iwithprefixbefore wb a.c"),
     .hashed = Args{}},
    {.name = "JoinedArguments",
     .args = Split("-Iinc -DX=1 -UY -includepre.h -isystemsys -iquoteq -idirafterlate -c a.c"),
     .language = "c",
     .source = "a.c",
     .object = "a.o",
     .hashed = Args{}},
    {.name = "HashedSeparateArguments",
     .args = Split("-isysroot /sdk --sysroot /sys -L lib -l m -u sym -Xlinker -rpath -T x.ld "
                   "-z defs -B /tools/ -G 8 -e entry -imultilib m32 --param max-inline=10 "
                   "-target aarch64-linux-gnu -mllvm -inline-threshold=1 -A sys=linux "
                   "-gcc-toolchain /gcc -dumpbase x.c -c a.c"),
     .language = "c",
     .source = "a.c",
     .object = "a.o",
     .hashed = Split("-isysroot /sdk --sysroot /sys -L lib -l m -u sym -Xlinker -rpath -T x.ld "
                     "-z defs -B /tools/ -G 8 -e entry -imultilib m32 --param max-inline=10 "
                     "-target aarch64-linux-gnu -mllvm -inline-threshold=1 -A sys=linux "
                     "-gcc-toolchain /gcc -dumpbase x.c")},
    {.name = "UndefNostdinc",
     .args = Split("-undef -nostdinc -nostdinc++ -c a.cc"),
     .language = "c++",
     .source = "a.cc",
     .object = "a.o",
     .hashed = Split("-undef -nostdinc++")},  // gcc records -undef with -g, warns for -nostdinc++
    {.name = "WpPreprocessorOnly",
     .args = Split("-Wp,-DX,-UY,-Iinc -c a.c"),
     .language = "c",
     .source = "a.c",
     .object = "a.o",
     .preprocess = Split("-Wp,-DX,-UY,-Iinc a.c"),
     .hashed = Args{}},
    // cc1 alone would see them: -g names the directory, -fstack-usage writes a file.
    {.name = "WpOther", .args = Split("-Wp,-O2 -c a.c"), .reason = kUnsupportedOption},
    {.name = "WpDebug", .args = Split("-Wp,-DX,-g -c a.c"), .reason = kUnsupportedOption},
    {.name = "WpSearchDirectory",
     .args = Split("-Wp,-isystem,inc -c a.c"),
     .language = "c",
     .source = "a.c",
     .object = "a.o",
     .hashed = Args{"-Wp,-isystem,inc"}},
    {.name = "XpreprocessorDebugMacros",
     .args = Split("-Xpreprocessor -g3 -c a.c"),
     .reason = kUnsupportedOption},
    {.name = "XpreprocessorStackUsage",
     .args = Split("-Xpreprocessor -fstack-usage -c a.c"),
     .reason = kUnsupportedOption},
    // -Xpreprocessor passes one argument as -Wp passes each of its own (commas kept).
    {.name = "XpreprocessorPreprocessorOnly",
     .args = Split("-Xpreprocessor -DX=1,2 -c a.c"),
     .language = "c",
     .source = "a.c",
     .object = "a.o",
     .preprocess = Split("-Xpreprocessor -DX=1,2 a.c"),
     .hashed = Args{}},
    {.name = "XpreprocessorOther",
     .args = Split("-Xpreprocessor -fopenmp -c a.c"),
     .language = "c",
     .source = "a.c",
     .object = "a.o",
     .hashed = Split("-Xpreprocessor -fopenmp")},
    {.name = "XpreprocessorValueInTheNext",
     .args = Split("-Xpreprocessor -include -Xpreprocessor h.h -c a.c"),
     .reason = kUnsupportedOption,
     .detail = "-Xpreprocessor"},
    {.name = "XpreprocessorInput",
     .args = Split("-Xpreprocessor b.c -c a.c"),
     .reason = kUnsupportedOption,
     .detail = "-Xpreprocessor"},
    {.name = "XpreprocessorDependencyFile",
     .args = Split("-Xpreprocessor -MD -c a.c"),
     .reason = kUnsupportedOption},
    {.name = "LongSysroot",
     .args = Split("--sysroot=/sys --target=arm-linux-gnueabihf -c a.c"),
     .family = Family::kClang,
     .language = "c",
     .source = "a.c",
     .object = "a.o",
     .hashed = Split("--sysroot=/sys --target=arm-linux-gnueabihf")},

    // Ordinary compile options are hashed, in order.
    {.name = "Std",
     .args = Split("-std=c11 -pedantic -c a.c"),
     .language = "c",
     .source = "a.c",
     .object = "a.o",
     .hashed = Split("-std=c11 -pedantic")},
    {.name = "Lto",
     .args = Split("-flto=auto -ffat-lto-objects -c a.c"),
     .language = "c",
     .source = "a.c",
     .object = "a.o",
     .hashed = Split("-flto=auto -ffat-lto-objects")},
    {.name = "Sanitize",
     .args = Split("-fsanitize=address -fno-omit-frame-pointer -c a.c"),
     .language = "c",
     .source = "a.c",
     .object = "a.o",
     .hashed = Split("-fsanitize=address -fno-omit-frame-pointer")},
    {.name = "SanitizeIgnorelist",
     .args = Split("-fsanitize=address -fsanitize-ignorelist=ign.txt -c a.c"),
     .family = Family::kClang,
     .language = "c",
     .source = "a.c",
     .object = "a.o",
     .hashed = Split("-fsanitize=address -fsanitize-ignorelist=ign.txt"),
     .extra_inputs = {"ign.txt"}},
    {.name = "ProfileSampleUse",
     .args = Split("-fprofile-sample-use=prof.afdo -c a.c"),
     .family = Family::kClang,
     .language = "c",
     .source = "a.c",
     .object = "a.o",
     .extra_inputs = {"prof.afdo"}},
    {.name = "OneArch",
     .args = Split("-arch x86_64 -c a.c"),
     .family = Family::kClang,
     .language = "c",
     .source = "a.c",
     .object = "a.o",
     .hashed = Split("-arch x86_64")},
    {.name = "SeveralArch",
     .args = Split("-arch x86_64 -arch arm64 -c a.c"),
     .family = Family::kClang,
     .reason = kUnsupportedOption},
    {.name = "XlinkerIsHashed",
     .args = Split("-Xlinker --gc-sections -Wl,-O1 -c a.c"),
     .language = "c",
     .source = "a.c",
     .object = "a.o",
     .hashed = Split("-Xlinker --gc-sections -Wl,-O1")},
    {.name = "WaHarmless",
     .args = Split("-Wa,--noexecstack -c a.c"),
     .language = "c",
     .source = "a.c",
     .object = "a.o",
     .hashed = Args{"-Wa,--noexecstack"}},
    // gas takes a map as the next word.
    {.name = "WaDebugPrefixMap",
     .args = Split("-Wa,--debug-prefix-map,/a=/b -c a.c"),
     .language = "c",
     .source = "a.c",
     .object = "a.o",
     .hashed = Args{"-Wa,--debug-prefix-map,/a=/b"}},
    {.name = "WaDebugInfo",
     .args = Split("-Wa,--gdwarf-5 -c a.S"),
     .language = "assembler-with-cpp",
     .source = "a.S",
     .object = "a.o",
     .debug_info = true},
    {.name = "EmitLlvmWithOutput",
     .args = Split("-emit-llvm -c a.c -o a.bc"),
     .family = Family::kClang,
     .language = "c",
     .source = "a.c",
     .object = "a.bc",
     .hashed = Args{"-emit-llvm"}},
    {.name = "EmitLlvmNamesBc",  // clang writes a.bc, not a.o
     .args = Split("-emit-llvm -c a.c"),
     .family = Family::kClang,
     .reason = kUnsupportedOption},
    {.name = "RecordSwitchesGcc",  // gcc records only options that are hashed
     .args = Split("-frecord-gcc-switches -c a.c"),
     .language = "c",
     .source = "a.c",
     .object = "a.o",
     .hashed = Args{"-frecord-gcc-switches"}},
    {.name = "RecordSwitchesClang",  // clang records -I, -D and -o too
     .args = Split("-frecord-gcc-switches -c a.c"),
     .family = Family::kClang,
     .reason = kUnsupportedOption},

    // Debug info and colour.
    {.name = "DebugOff",
     .args = Split("-g3 -g0 -c a.c"),
     .language = "c",
     .source = "a.c",
     .object = "a.o",
     .hashed = Split("-g3 -g0")},
    {.name = "DebugOnAgain",
     .args = Split("-g0 -gdwarf-4 -c a.c"),
     .language = "c",
     .source = "a.c",
     .object = "a.o",
     .debug_info = true},
    {.name = "DebugModifiersOnly",
     .args = Split("-gz -gcolumn-info -gno-split-dwarf -c a.c"),
     .language = "c",
     .source = "a.c",
     .object = "a.o"},
    {.name = "DebugCtf0KeepsDwarf",
     .args = Split("-g -gctf0 -c a.c"),
     .language = "c",
     .source = "a.c",
     .object = "a.o",
     .debug_info = true},
    {.name = "DebugLineTables",
     .args = Split("-gline-tables-only -c a.c"),
     .family = Family::kClang,
     .language = "c",
     .source = "a.c",
     .object = "a.o",
     .debug_info = true},
    {.name = "DebugUnknownTurnsOn",  // clang emits debug info for this one
     .args = Split("-gno-inline-line-tables -c a.c"),
     .family = Family::kClang,
     .language = "c",
     .source = "a.c",
     .object = "a.o",
     .debug_info = true},
    {.name = "ColorGcc",
     .args = Split("-fdiagnostics-color=always -c a.c"),
     .language = "c",
     .source = "a.c",
     .object = "a.o",
     .hashed = Args{"-fdiagnostics-color=always"},
     .explicit_color = true},
    {.name = "ColorClang",
     .args = Split("-fno-color-diagnostics -c a.c"),
     .family = Family::kClang,
     .language = "c",
     .source = "a.c",
     .object = "a.o",
     .explicit_color = true},

    // Not compiles.
    {.name = "LinkObjects", .args = Split("a.o b.o -o prog"), .reason = kCalledForLink},
    {.name = "CompileAndLink", .args = Split("a.c -o prog"), .reason = kCalledForLink},
    {.name = "LinkVerbose", .args = Split("-v a.c -o prog"), .reason = kCalledForLink},
    {.name = "Preprocess", .args = Split("-E a.c"), .reason = kCalledForPreprocessing},
    {.name = "PreprocessWithC", .args = Split("-E -c a.c -MD"), .reason = kCalledForPreprocessing},
    {.name = "TwoSources",
     .args = Split("-c a.c b.c"),
     .reason = kMultipleSources,
     .detail = "b.c"},
    {.name = "SourceAndObject", .args = Split("-c a.c b.o"), .reason = kMultipleSources},
    {.name = "AtAloneIsAnInput",
     .args = Split("-c a.c @"),
     .reason = kMultipleSources,
     .detail = "@"},
    {.name = "NoInput", .args = {"-c"}, .reason = kNoInputFile},
    {.name = "Nothing", .args = {}, .reason = kNoInputFile},
    {.name = "Version", .args = {"--version"}, .reason = kNoInputFile},
    {.name = "VerboseAlone", .args = {"-v"}, .reason = kNoInputFile},
    {.name = "DumpVersion", .args = {"-dumpversion"}, .reason = kNoInputFile},
    {.name = "PrintSearchDirs", .args = {"-print-search-dirs"}, .reason = kNoInputFile},
    {.name = "PrintFileName", .args = {"-print-file-name=libc.so"}, .reason = kNoInputFile},
    {.name = "VerboseCompile",
     .args = Split("-v -c a.c"),
     .reason = kUnsupportedOption,
     .detail = "-v"},
    {.name = "Stdin",
     .args = Split("-x c -c -"),
     .reason = kUnsupportedOption,
     .detail = "stdin input"},
    // -S writes assembly (over -c, with either compiler); without -o the dependency file's
    // target is still the .o (checked with gcc 12 and clang 14).
    {.name = "Assemble",
     .args = Split("-S sub/a.c -MD"),
     .language = "c",
     .source = "sub/a.c",
     .object = "a.s",
     .dep_file = "a.d",
     .dep_targets = {"a.o"},
     .dep_options = {"-MD"},
     .hashed_has = {"-S"}},
    {.name = "AssembleClang",
     .args = Split("-c -S a.c -MD"),
     .family = Family::kClang,
     .language = "c",
     .source = "a.c",
     .object = "a.s",
     .dep_file = "a.d",
     .dep_targets = {"a.o"},
     .dep_options = {"-MD"},
     .hashed_has = {"-S"}},
    {.name = "AssembleNamed",
     .args = Split("-S a.c -o out/x.s -MD"),
     .language = "c",
     .source = "a.c",
     .object = "out/x.s",
     .dep_file = "out/x.d",
     .dep_targets = {"out/x.s"},
     .dep_options = {"-MD"}},
    // The assembler writes the .dwo; an assembler source gives nothing to -S.
    {.name = "AssembleSplitDwarf",
     .args = Split("-S -gsplit-dwarf a.c"),
     .reason = kUnsupportedOption,
     .detail = "-S with -gsplit-dwarf"},
    {.name = "AssembleAssembler",
     .args = Split("-S a.S"),
     .reason = kUnsupportedOption,
     .detail = "-S with an assembler source"},

    // Unsupported options.
    // Files beside the object, named after it as gcc and clang name them (checked with both).
    {.name = "Coverage",
     .args = Split("--coverage -c a.c -o obj/a.x.o"),
     .language = "c",
     .source = "a.c",
     .object = "obj/a.x.o",
     .hashed = Args{"--coverage"},
     .aux_outputs = {{".gcno", "obj/a.x.gcno"}},
     .names_itself = true},
    {.name = "SaveTemps",
     .args = Split("-save-temps -c a.c"),
     .reason = kUnsupportedOption,
     .detail = "-save-temps"},
    {.name = "SaveTempsObj", .args = Split("-save-temps=obj -c a.c"), .reason = kUnsupportedOption},
    {.name = "DebugMacro",
     .args = Split("-g -fdebug-macro -c a.c"),
     .family = Family::kClang,
     .language = "c",
     .source = "a.c",
     .object = "a.o",
     .hashed_has = Split("-fdebug-macro"),
     .debug_info = true},
    {.name = "ClangMacroLevel",
     .args = Split("-g3 -O2 -c a.c"),
     .family = Family::kClang,
     .language = "c",
     .source = "a.c",
     .object = "a.o",
     .hashed_has = Split("-g3"),
     .debug_info = true},
    {.name = "ClangGdbMacroLevel",
     .args = Split("-ggdb3 -c a.c"),
     .family = Family::kClang,
     .language = "c",
     .source = "a.c",
     .object = "a.o",
     .hashed_has = Split("-ggdb3"),
     .debug_info = true},
    {.name = "EmbedSource",
     .args = Split("-g -gdwarf-5 -gembed-source -c a.c"),
     .family = Family::kClang,
     .reason = kUnsupportedOption,
     .detail = "-gembed-source"},
    {.name = "SplitDwarf",
     .args = Split("-g -gsplit-dwarf -c a.c -o out"),
     .language = "c",
     .source = "a.c",
     .object = "out",
     .aux_outputs = {{".dwo", "out.dwo"}},
     .names_itself = true,
     .debug_info = true},
    {.name = "TestCoverage",
     .args = Split("-ftest-coverage -fstack-usage -c a.c"),
     .language = "c",
     .source = "a.c",
     .object = "a.o",
     .aux_outputs = {{".gcno", "a.gcno"}, {".su", "a.su"}},
     .names_itself = true},
    {.name = "ProfileArcs",
     .args = Split("-fprofile-arcs -c a.c"),
     .language = "c",
     .source = "a.c",
     .object = "a.o",
     .names_itself = true},
    {.name = "ProfileGenerate",
     .args = Split("-fprofile-generate=dir -c a.c"),
     .language = "c",
     .source = "a.c",
     .object = "a.o",
     .hashed_has = Split("-fprofile-generate=dir"),
     .names_itself = true},
    {.name = "ProfileDirectory",
     .args = Split("-fprofile-dir=dir -c a.c"),
     .reason = kUnsupportedOption},
    {.name = "ProfileUseReadsTheGcdaBesideTheObject",
     .args = Split("-fprofile-use -c a.c -o out/x.o"),
     .language = "c",
     .source = "a.c",
     .object = "out/x.o",
     .hashed = Split("-fprofile-use"),
     .extra_inputs = {"out/x.gcda"}},
    {.name = "ProfileUseDirectoryGcc",
     .args = Split("-fprofile-use=dir -c a.c"),
     .reason = kUnsupportedOption},
    {.name = "ProfileUseWithDumpbase",
     .args = Split("-fprofile-use -dumpbase b -c a.c"),
     .reason = kUnsupportedOption},
    {.name = "ProfileUseClangFile",
     .args = Split("-fprofile-use=code.profdata -c a.c"),
     .family = Family::kClang,
     .language = "c",
     .source = "a.c",
     .object = "a.o",
     .hashed = Split("-fprofile-use=code.profdata"),
     .extra_inputs = {"code.profdata"}},
    {.name = "ProfileInstrUseClangDefault",
     .args = Split("-fprofile-instr-use -c a.c"),
     .family = Family::kClang,
     .language = "c",
     .source = "a.c",
     .object = "a.o",
     .hashed = Split("-fprofile-instr-use"),
     .extra_inputs = {"default.profdata"}},
    {.name = "ProfileInstr",
     .args = Split("-fprofile-instr-generate -fcoverage-mapping -c a.c"),
     .family = Family::kClang,
     .language = "c",
     .source = "a.c",
     .object = "a.o",
     .hashed_has = Split("-fprofile-instr-generate -fcoverage-mapping")},
    {.name = "AutoProfile",
     .args = Split("-fauto-profile=x.afdo -c a.c"),
     .reason = kUnsupportedOption},
    {.name = "SplitDwarfSingle",  // no .dwo: the object is its own, and names itself so
     .args = Split("-g -gsplit-dwarf=single -c a.c -o out"),
     .family = Family::kClang,
     .language = "c",
     .source = "a.c",
     .object = "out",
     .names_itself = true,
     .debug_info = true},
    // gcc names the files beside the object after -dumpbase or -dumpdir then.
    {.name = "DumpbaseWithAuxOutput",
     .args = Split("-fstack-usage -dumpbase foo -c a.c"),
     .reason = kUnsupportedOption},
    {.name = "DumpbaseWithDependencyFile",
     .args = Split("-MD -dumpbase foo -c a.c"),
     .reason = kUnsupportedOption},
    {.name = "DumpdirWithAuxOutput",
     .args = Split("--coverage -dumpdir d/ -c a.c"),
     .reason = kUnsupportedOption},
    {.name = "StackUsage",
     .args = Split("-fstack-usage -c a.c"),
     .language = "c",
     .source = "a.c",
     .object = "a.o",
     .aux_outputs = {{".su", "a.su"}}},
    {.name = "CallgraphInfo",
     .args = Split("-fcallgraph-info=su -c a.c"),
     .reason = kUnsupportedOption},
    {.name = "Dump", .args = Split("-fdump-tree-all -c a.c"), .reason = kUnsupportedOption},
    {.name = "DumpLetters", .args = Split("-dA -c a.c"), .reason = kUnsupportedOption},
    {.name = "Specs", .args = Split("-specs=my.specs -c a.c"), .reason = kUnsupportedOption},
    {.name = "Plugin", .args = Split("-fplugin=./p.so -c a.c"), .reason = kUnsupportedOption},
    {.name = "Xclang",
     .args = Split("-Xclang -load -Xclang plugin.so -c a.c"),
     .family = Family::kClang,
     .reason = kUnsupportedOption,
     .detail = "-Xclang"},
    // What cc1 takes as the command line shows it: CMake's, Chromium's.
    {.name = "XclangKnown",
     .args = Split("-Xclang -fno-pch-timestamp -Xclang -debug-info-kind=constructor "
                   "-Xclang -fdebug-compilation-dir -Xclang . -c a.c"),
     .family = Family::kClang,
     .language = "c",
     .source = "a.c",
     .object = "a.o",
     .hashed = Args{"-Xclang", "-fno-pch-timestamp", "-Xclang", "-debug-info-kind=constructor",
                    "-Xclang", "-fdebug-compilation-dir", "-Xclang", "."},
     .debug_info = true},
    {.name = "XclangColour",
     .args = Split("-Xclang -fcolor-diagnostics -c a.c"),
     .family = Family::kClang,
     .language = "c",
     .source = "a.c",
     .object = "a.o",
     .hashed = Args{"-Xclang", "-fcolor-diagnostics"}},
    // ddcc's own -E text would not be in the form it reads.
    {.name = "DebugCpp", .args = Split("-fdebug-cpp -c a.c"), .reason = kUnsupportedOption},
    {.name = "LineDirectives",
     .args = Split("-fuse-line-directives -c a.c"),
     .family = Family::kClang,
     .reason = kUnsupportedOption},
    {.name = "KeepComments", .args = Split("-C -c a.c"), .reason = kUnsupportedOption},
    {.name = "KeepMacroComments", .args = Split("-CC -c a.c"), .reason = kUnsupportedOption},
    {.name = "Utf16Input",
     .args = Split("-finput-charset=UTF-16LE -c a.c"),
     .reason = kUnsupportedOption},
    {.name = "Latin1Input",
     .args = Split("-finput-charset=ISO-8859-1 -c a.c"),
     .language = "c",
     .source = "a.c",
     .object = "a.o",
     .hashed = Args{"-finput-charset=ISO-8859-1"}},
    {.name = "MllvmWritesAFile",
     .args = Split("-mllvm -info-output-file=stats.txt -c a.c"),
     .family = Family::kClang,
     .reason = kUnsupportedOption},
    {.name = "MllvmReadsFilesByName",
     .args = Split("-mllvm -polly -mllvm -polly-import -c a.c"),
     .family = Family::kClang,
     .reason = kUnsupportedOption},
    {.name = "MllvmPrintsTimes",
     .args = Split("-mllvm -time-passes -c a.c"),
     .family = Family::kClang,
     .reason = kUnsupportedOption},
    // Words inside words name nothing: runtime, read-before-write.
    {.name = "MllvmCodeGeneration",
     .args = Split("-mllvm -unroll-runtime-multi-exit -mllvm -tsan-compound-read-before-write=1 "
                   "-c a.c"),
     .family = Family::kClang,
     .language = "c",
     .source = "a.c",
     .object = "a.o",
     .hashed = Split("-mllvm -unroll-runtime-multi-exit -mllvm "
                     "-tsan-compound-read-before-write=1")},
    {.name = "ProfileCorrection",
     .args = Split("-fprofile-use -fprofile-correction -c a.c"),
     .language = "c",
     .source = "a.c",
     .object = "a.o",
     .hashed = Args{"-fprofile-use", "-fprofile-correction"},
     .extra_inputs = {"a.gcda"}},
    // -Xassembler passes its value as -Wa, does, whole.
    {.name = "Xassembler",
     .args = Split("-Xassembler --noexecstack -c a.c"),
     .language = "c",
     .source = "a.c",
     .object = "a.o",
     .hashed = Args{"-Xassembler", "--noexecstack"}},
    {.name = "XassemblerListing",
     .args = Split("-Xassembler -adhln=a.lst -c a.c"),
     .reason = kUnsupportedOption},
    {.name = "XassemblerInput",
     .args = Split("-Xassembler extra.s -c a.c"),
     .reason = kUnsupportedOption},
    {.name = "OptInfoToStderr",
     .args = Split("-fopt-info-vec-optimized -c a.c"),
     .language = "c",
     .source = "a.c",
     .object = "a.o",
     .hashed = Args{"-fopt-info-vec-optimized"}},
    {.name = "OptInfoToAFile",
     .args = Split("-fopt-info-vec-optimized=vec.txt -c a.c"),
     .reason = kUnsupportedOption},
    {.name = "WaListing", .args = Split("-Wa,-adhln=a.lst -c a.c"), .reason = kUnsupportedOption},
    {.name = "WaDeps", .args = Split("-Wa,--MD,a.d -c a.S"), .reason = kUnsupportedOption},
    // gas takes --a=file for a listing, and abbreviations of --MD.
    {.name = "WaLongListing", .args = Split("-Wa,--a=a.lst -c a.c"), .reason = kUnsupportedOption},
    {.name = "WaDepsAbbreviated",
     .args = Split("-Wa,--M,a.d -c a.c"),
     .reason = kUnsupportedOption},
    {.name = "ThinLinkBitcode",
     .args = Split("-flto=thin -fthin-link-bitcode=a.bc -c a.c"),
     .family = Family::kClang,
     .reason = kUnsupportedOption},
    {.name = "OffloadTargets",
     .args = Split("-fopenmp -fopenmp-targets=nvptx64 -c a.c"),
     .family = Family::kClang,
     .reason = kUnsupportedOption},
    {.name = "RewriteMapFile",
     .args = Split("-frewrite-map-file=map.txt -c a.c"),
     .family = Family::kClang,
     .language = "c",
     .source = "a.c",
     .object = "a.o",
     .extra_inputs = {"map.txt"}},
    {.name = "ResourceDirLists",
     .args = Split("-resource-dir r -fsanitize=address -c a.c"),
     .family = Family::kClang,
     .language = "c",
     .source = "a.c",
     .object = "a.o",
     .extra_inputs = {"r/share/asan_ignorelist.txt", "r/share/hwasan_ignorelist.txt",
                      "r/share/msan_ignorelist.txt", "r/share/cfi_ignorelist.txt",
                      "r/share/dfsan_abilist.txt"}},
    {.name = "Modules",
     .args = Split("-fmodules -c a.c"),
     .family = Family::kClang,
     .reason = kUnsupportedOption},
    {.name = "CxxModules", .args = Split("-fmodules-ts -c a.cc"), .reason = kUnsupportedOption},
    {.name = "IncludePch",
     .args = Split("-include-pch pre.pch -c a.c"),
     .family = Family::kClang,
     .reason = kUnsupportedOption},
    {.name = "SyntaxOnly", .args = Split("-fsyntax-only -c a.c"), .reason = kUnsupportedOption},
    {.name = "NoLineMarkers", .args = Split("-P -c a.c"), .reason = kUnsupportedOption},
    {.name = "TimeTrace",
     .args = Split("-ftime-trace -c a.c"),
     .family = Family::kClang,
     .reason = kUnsupportedOption},
    {.name = "UnknownLongOption",
     .args = Split("--output=x.o -c a.c"),
     .reason = kUnsupportedOption,
     .detail = "--output=x.o"},
    {.name = "DriverModeCpp",
     .args = Split("--driver-mode=cpp -c a.c"),
     .family = Family::kClang,
     .reason = kUnsupportedOption},
    {.name = "Wrapper", .args = Split("-wrapper gdb,--args -c a.c"), .reason = kUnsupportedOption},
    {.name = "EmptyDependencyTarget",
     .args = {"-MD", "-MQ", "", "-c", "a.c"},
     .reason = kUnsupportedOption},
};

class ArgsTableTest : public ::testing::TestWithParam<Case> {};

TEST_P(ArgsTableTest, Parses) {
  const Case& c = GetParam();
  ParsedArgs parsed = ParseArgs(c.family, c.args);
  if (c.reason) {
    ASSERT_TRUE(std::holds_alternative<NotCacheable>(parsed));
    const NotCacheable& no = std::get<NotCacheable>(parsed);
    EXPECT_EQ(static_cast<int>(no.reason), static_cast<int>(*c.reason)) << no.detail;
    if (!c.detail.empty()) {
      EXPECT_EQ(no.detail, c.detail);
    }
    return;
  }
  if (const auto* no = std::get_if<NotCacheable>(&parsed)) {
    FAIL() << "not cacheable: reason " << static_cast<int>(no->reason) << ", " << no->detail;
  }
  const CompileRequest& r = std::get<CompileRequest>(parsed);
  EXPECT_EQ(r.language, c.language);
  EXPECT_EQ(r.source, c.source);
  EXPECT_EQ(r.object, c.object);
  EXPECT_EQ(r.generates_deps, !c.dep_file.empty());
  EXPECT_EQ(r.dep_file, c.dep_file);
  EXPECT_EQ(r.dep_targets, c.dep_targets);
  EXPECT_EQ(r.dep_options, c.dep_options);
  if (c.preprocess) {
    EXPECT_EQ(r.preprocess_args, *c.preprocess);
  }
  if (c.hashed) {
    EXPECT_EQ(r.hashed_args, *c.hashed);
  }
  for (const std::string& a : c.hashed_has) EXPECT_THAT(r.hashed_args, Contains(a));
  for (const std::string& a : c.hashed_lacks) EXPECT_THAT(r.hashed_args, Not(Contains(a)));
  EXPECT_EQ(r.extra_input_files, c.extra_inputs);
  EXPECT_EQ(r.aux_outputs, c.aux_outputs);
  EXPECT_EQ(r.object_names_itself, c.names_itself);
  EXPECT_EQ(r.debug_info, c.debug_info);
  EXPECT_EQ(r.explicit_color, c.explicit_color);
  // Invariants of every cacheable compile.
  ASSERT_LT(r.source_index, r.preprocess_args.size());
  EXPECT_EQ(r.preprocess_args[r.source_index], c.source);
  EXPECT_THAT(r.preprocess_args, Not(Contains("-c")));
  EXPECT_THAT(r.hashed_args, Not(Contains("-c")));
  EXPECT_THAT(r.hashed_args, Not(Contains(c.source)));
}

INSTANTIATE_TEST_SUITE_P(Args, ArgsTableTest, ::testing::ValuesIn(kCases),
                         [](const ::testing::TestParamInfo<Case>& info) {
                           return info.param.name;
                         });

CompileRequest Parse(const Args& args, Family family = Family::kGcc) {
  ParsedArgs parsed = ParseArgs(family, args);
  EXPECT_TRUE(std::holds_alternative<CompileRequest>(parsed));
  return std::holds_alternative<CompileRequest>(parsed) ? std::get<CompileRequest>(parsed)
                                                        : CompileRequest{};
}

TEST(ArgsTest, PreprocessorOptionsDoNotChangeHashedArgs) {
  CompileRequest a = Parse(Split("-DA=1 -I/checkout1/include -O2 -c /checkout1/a.c"));
  CompileRequest b = Parse(Split("-O2 -I/checkout2/include -isystem /x -c a.c -UB"));
  EXPECT_EQ(a.hashed_args, b.hashed_args);
  EXPECT_NE(a.preprocess_args, b.preprocess_args);
}

TEST(ArgsTest, CompileOptionsChangeHashedArgs) {
  EXPECT_NE(Parse(Split("-O2 -c a.c")).hashed_args, Parse(Split("-O3 -c a.c")).hashed_args);
  EXPECT_NE(Parse(Split("-c a.c")).hashed_args, Parse(Split("-c a.c -Werror")).hashed_args);
}

// g++ and clang++ compile a .i as C++, as they do a .c.
TEST(ArgsTest, CxxDriversCompileAPreprocessedCSourceAsCxx) {
  for (Family family : {Family::kGcc, Family::kClang}) {
    ParsedArgs parsed = ParseArgs(family, {"-c", "a.i"}, /*cxx_driver=*/true);
    ASSERT_TRUE(std::holds_alternative<CompileRequest>(parsed));
    EXPECT_EQ(std::get<CompileRequest>(parsed).language, "c++-cpp-output");
  }
}

TEST(ArgsTest, XAfterSourceHashesDifferently) {
  // Same language, but gcc warns that the trailing -x has no effect.
  CompileRequest before = Parse(Split("-x c -c a.c"));
  CompileRequest after = Parse(Split("-c a.c -x c"));
  EXPECT_EQ(before.language, after.language);
  EXPECT_NE(before.hashed_args, after.hashed_args);
}

// A scratch directory, removed with its content at the end of the test.
class ArgsFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/ddcc_args_test.XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override {
    std::string cmd = "rm -rf '" + dir_ + "'";
    EXPECT_EQ(system(cmd.c_str()), 0);
  }
  std::string Write(const std::string& name, const std::string& content) {
    std::string path = dir_ + "/" + name;
    std::ofstream(path) << content;
    return path;
  }
  std::string dir_;
};

TEST_F(ArgsFilesTest, ResponseFile) {
  std::string rsp = Write("args.rsp", "-O2 \"-DX=a b\" '-I/dir with space'\n\t-c a\\ b.c\n");
  CompileRequest r = Parse({"-Wall", "@" + rsp, "-o", "out.o"});
  EXPECT_EQ(r.source, "a b.c");
  EXPECT_EQ(r.object, "out.o");
  EXPECT_THAT(r.preprocess_args,
              ElementsAre("-Wall", "-O2", "-DX=a b", "-I/dir with space", "a b.c"));
  EXPECT_THAT(r.hashed_args, ElementsAre("-Wall", "-O2"));
}

TEST_F(ArgsFilesTest, ResponseFileQuoting) {
  std::string rsp = Write("q.rsp", R"(-DA="x\"y" -DB='it''s' -DC=\' -DE="" -D"D E" -c a.c)");
  CompileRequest r = Parse({"@" + rsp});
  EXPECT_THAT(r.preprocess_args,
              ElementsAre("-DA=x\"y", "-DB=its", "-DC='", "-DE=", "-DD E", "a.c"));
}

// The two corners where gcc's and clang's splitting differ (the compile runs with ddcc's).
TEST_F(ArgsFilesTest, ResponseFileEndsInABackslashOrHoldsAnEmptyArgument) {
  std::string ends = Write("ends.rsp", "-DV=7\\");
  ParsedArgs gcc = ParseArgs(Family::kGcc, {"-c", "a.c", "@" + ends});
  ASSERT_TRUE(std::holds_alternative<CompileRequest>(gcc));
  EXPECT_THAT(std::get<CompileRequest>(gcc).preprocess_args, ElementsAre("a.c", "-DV=7"));
  ParsedArgs clang = ParseArgs(Family::kClang, {"-c", "a.c", "@" + ends});
  ASSERT_TRUE(std::holds_alternative<CompileRequest>(clang));
  EXPECT_THAT(std::get<CompileRequest>(clang).preprocess_args, ElementsAre("a.c", "-DV=7\\"));
  // clang makes no argument of '': -I takes the next one.
  std::string empty = Write("empty.rsp", "-I '' -DV=1");
  clang = ParseArgs(Family::kClang, {"-c", "a.c", "@" + empty});
  ASSERT_TRUE(std::holds_alternative<CompileRequest>(clang));
  EXPECT_THAT(std::get<CompileRequest>(clang).preprocess_args, ElementsAre("a.c", "-I", "-DV=1"));
}

TEST_F(ArgsFilesTest, NestedResponseFile) {
  std::string inner = Write("inner.rsp", "-O3 -c");
  std::string outer = Write("outer.rsp", "-g @" + inner + " src/a.c");
  CompileRequest r = Parse({"@" + outer});
  EXPECT_EQ(r.source, "src/a.c");
  EXPECT_THAT(r.hashed_args, ElementsAre("-g", "-O3"));
  EXPECT_TRUE(r.debug_info);
}

TEST_F(ArgsFilesTest, NestedResponseFileIsRelativeToWorkingDirectory) {
  // gcc 12 and clang 14 both resolve @inner.rsp against the working directory.
  Write("inner.rsp", "-DFROM_CWD");
  ASSERT_EQ(mkdir((dir_ + "/sub").c_str(), 0755), 0);
  Write("sub/inner.rsp", "-DFROM_SUB");
  Write("sub/outer.rsp", "@inner.rsp -c a.c");
  char old_cwd[4096];
  ASSERT_NE(getcwd(old_cwd, sizeof(old_cwd)), nullptr);
  ASSERT_EQ(chdir(dir_.c_str()), 0);
  ParsedArgs parsed = ParseArgs(Family::kGcc, {"@sub/outer.rsp"});
  ASSERT_EQ(chdir(old_cwd), 0);
  ASSERT_TRUE(std::holds_alternative<CompileRequest>(parsed));
  EXPECT_THAT(std::get<CompileRequest>(parsed).preprocess_args, ElementsAre("-DFROM_CWD", "a.c"));
}

TEST_F(ArgsFilesTest, UnreadableResponseFile) {
  ParsedArgs parsed = ParseArgs(Family::kGcc, {"-c", "a.c", "@" + dir_ + "/missing.rsp"});
  ASSERT_TRUE(std::holds_alternative<NotCacheable>(parsed));
  EXPECT_EQ(std::get<NotCacheable>(parsed).reason, kBadResponseFile);
  EXPECT_EQ(std::get<NotCacheable>(parsed).detail, dir_ + "/missing.rsp");
  // A directory is no response file either.
  parsed = ParseArgs(Family::kClang, {"-c", "a.c", "@" + dir_});
  ASSERT_TRUE(std::holds_alternative<NotCacheable>(parsed));
  EXPECT_EQ(std::get<NotCacheable>(parsed).reason, kBadResponseFile);
}

TEST_F(ArgsFilesTest, RecursiveResponseFile) {
  std::string path = dir_ + "/self.rsp";
  Write("self.rsp", "-O2 @" + path);
  ParsedArgs parsed = ParseArgs(Family::kGcc, {"-c", "a.c", "@" + path});
  ASSERT_TRUE(std::holds_alternative<NotCacheable>(parsed));
  EXPECT_EQ(std::get<NotCacheable>(parsed).reason, kBadResponseFile);
}

TEST_F(ArgsFilesTest, IncludeWithPrecompiledHeader) {
  Write("pre.h", "int x;\n");
  EXPECT_FALSE(
      ForcedIncludeNotCacheable(Parse({"-include", dir_ + "/pre.h", "-c", "a.c"})).has_value());
  Write("pre.h.gch", "not really");
  std::optional<NotCacheable> precompiled =
      ForcedIncludeNotCacheable(Parse({"-include", dir_ + "/pre.h", "-c", "a.c"}));
  ASSERT_TRUE(precompiled.has_value());
  EXPECT_EQ(precompiled->reason, kUnsupportedOption);
  // Found along the include path as well (-iwithprefix's too), and as clang's .pch.
  Write("other.h.pch", "not really");
  EXPECT_TRUE(ForcedIncludeNotCacheable(Parse({"-I", dir_, "-include", "other.h", "-c", "a.c"}))
                  .has_value());
  EXPECT_TRUE(ForcedIncludeNotCacheable(Parse({"-iprefix", dir_ + "/", "-iwithprefix", ".",
                                               "-include", "other.h", "-c", "a.c"}))
                  .has_value());
}

// A FIFO (bash's <(...)) is read once: by ddcc's preprocessing, not by the compiler after it.
TEST_F(ArgsFilesTest, IncludeThatIsNoRegularFile) {
  ASSERT_EQ(mkfifo((dir_ + "/pipe.h").c_str(), 0600), 0);
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"-include", dir_ + "/pipe.h", "-c", "a.c"},
        {"-isystem", dir_, "-include", "pipe.h", "-c", "a.c"},
        {"-iquote", dir_, "-imacros", "pipe.h", "-c", "a.c"}}) {
    std::optional<NotCacheable> refused = ForcedIncludeNotCacheable(Parse(args));
    ASSERT_TRUE(refused.has_value()) << args[1];
    EXPECT_EQ(refused->reason, kNoInputFile);
  }
}

// Outputs checked against gcc 12 and clang 14 (-MQ, and default targets), which agree.
TEST(MakeQuoteTest, MatchesGccAndClang) {
  EXPECT_EQ(MakeQuote("obj/a.o"), "obj/a.o");
  EXPECT_EQ(MakeQuote("a b$c#d.o"), "a\\ b$$c\\#d.o");
  EXPECT_EQ(MakeQuote("x\ty"), "x\\\ty");
  // Backslashes before a space or tab are doubled; others are left alone, also before '#'.
  EXPECT_EQ(MakeQuote("a b\\ c\\\\ d\te\\\\\\\\ f\\#g:h%i"),
            "a\\ b\\\\\\ c\\\\\\\\\\ d\\\te\\\\\\\\\\\\\\\\\\ f\\\\#g:h%i");
  EXPECT_EQ(MakeQuote("tr\\"), "tr\\");
  EXPECT_EQ(MakeQuote("a\\\\$b"), "a\\\\$$b");
  EXPECT_EQ(MakeQuote("c:d%e*f?g[h]i"), "c:d%e*f?g[h]i");
  EXPECT_EQ(MakeQuote(""), "");
}

// The arguments naming the outputs, for the compile to write elsewhere (launcher/outputs.h).
TEST(OutputArgsTest, FindsTheLastObjectAndDependencyFile) {
  auto parse = [](const Args& args) {
    return std::get<CompileRequest>(ParseArgs(Family::kGcc, args));
  };
  auto named = [](const CompileRequest& r, const std::optional<PathArg>& at) {
    return at ? r.expanded_args[at->index].substr(at->prefix_size) : "<none>";
  };
  CompileRequest separate = parse({"-c", "a.c", "-o", "x.o", "-MD", "-MF", "x.d", "-o", "y.o"});
  EXPECT_EQ(named(separate, separate.object_arg), "y.o");
  EXPECT_EQ(named(separate, separate.dep_file_arg), "x.d");
  EXPECT_FALSE(separate.explicit_dep_targets);

  CompileRequest joined = parse({"-c", "a.c", "-oy.o", "-MD", "-MFy.d", "-MT", "t"});
  EXPECT_EQ(joined.expanded_args[joined.object_arg->index].substr(0, 2), "-o");
  EXPECT_EQ(named(joined, joined.object_arg), "y.o");
  EXPECT_EQ(named(joined, joined.dep_file_arg), "y.d");
  EXPECT_TRUE(joined.explicit_dep_targets);

  CompileRequest wp = parse({"-c", "a.c", "-Wp,-MD,dir/a.d"});
  EXPECT_EQ(named(wp, wp.object_arg), "<none>");
  EXPECT_EQ(named(wp, wp.dep_file_arg), "dir/a.d");
  EXPECT_EQ(wp.expanded_args, (Args{"-c", "a.c", "-Wp,-MD,dir/a.d"}));
}

}  // namespace
}  // namespace ddcc
