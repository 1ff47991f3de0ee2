#include "launcher/options.h"

#include "absl/strings/match.h"

namespace ddcc {
namespace {

constexpr uint8_t kGcc = 1 << static_cast<int>(Family::kGcc);
constexpr uint8_t kClang = 1 << static_cast<int>(Family::kClang);
constexpr uint8_t kBoth = kGcc | kClang;

using enum OptArg;
using enum OptKind;

// Options ddcc must recognise. An option missing here is hashed as a single argument, so the
// list must hold every option that takes a separate argument, changes what the compiler does or
// writes, reads files the preprocessor does not, or only affects preprocessing. Entries of kind
// kJoined also catch whole families (-fdump-...), with longer entries taking precedence.
constexpr OptionSpec kOptions[] = {
    // What the driver does.
    {"-c", kNone, kCompileOnly, kBoth},
    {"-E", kNone, kPreprocessOnly, kBoth},
    {"-M", kNone, kPreprocessOnly, kBoth},
    {"-MM", kNone, kPreprocessOnly, kBoth},
    {"-S", kNone, kAssembleOnly, kBoth},
    {"-fsyntax-only", kNone, kUnsupported, kBoth},
    {"-o", kJoinedOrSeparate, kOutput, kBoth},
    {"-x", kJoinedOrSeparate, kLanguage, kBoth},
    {"-emit-llvm", kNone, kEmitLlvm, kBoth},
    {"-emit-", kJoined, kUnsupported, kBoth},  // -emit-ast, -emit-pch, -emit-module, ...
    // Objective-C switches and clang's -objcmt-... (which must not pass for -o mt-...).
    {"-ObjC", kNone, kUnsupported, kBoth},
    {"-ObjC++", kNone, kUnsupported, kBoth},
    {"-objc", kJoined, kUnsupported, kBoth},
    {"-object", kNone, kCompile, kBoth},  // a Darwin linker flag

    // Information instead of a compile.
    {"-v", kNone, kInfo, kBoth},
    {"-###", kNone, kInfo, kBoth},
    {"--version", kNone, kInfo, kBoth},
    {"--help", kJoined, kInfo, kBoth},
    {"--target-help", kNone, kInfo, kBoth},
    {"-print-", kJoined, kInfo, kBoth},
    {"--print-", kJoined, kInfo, kBoth},
    {"-dumpversion", kNone, kInfo, kBoth},
    {"-dumpfullversion", kNone, kInfo, kBoth},
    {"-dumpmachine", kNone, kInfo, kBoth},
    {"-dumpspecs", kNone, kInfo, kBoth},

    // Dependency files. -MG needs -M or -MM, which are not cacheable anyway.
    {"-MD", kNone, kDepGenerate, kBoth},
    {"-MMD", kNone, kDepGenerate, kBoth},
    {"-MP", kNone, kDepFlag, kBoth},
    {"-MF", kJoinedOrSeparate, kDepFile, kBoth},
    {"-MT", kJoinedOrSeparate, kDepTarget, kBoth},
    {"-MQ", kJoinedOrSeparate, kDepQuotedTarget, kBoth},
    {"-MG", kNone, kUnsupported, kBoth},
    {"-MJ", kJoinedOrSeparate, kUnsupported, kBoth},  // clang's compilation database entry
    {"-M", kJoined, kUnsupported, kBoth},             // any other -M option

    // Only preprocessing; their effect is in the preprocessed text.
    {"-I", kJoinedOrSeparate, kIncludeDir, kBoth},
    {"-iquote", kJoinedOrSeparate, kIncludeDir, kBoth},
    {"-isystem", kJoinedOrSeparate, kIncludeDir, kBoth},
    {"-idirafter", kJoinedOrSeparate, kIncludeDir, kBoth},
    {"-D", kJoinedOrSeparate, kPreprocessor, kBoth},
    {"-U", kJoinedOrSeparate, kPreprocessor, kBoth},
    {"-include", kJoinedOrSeparate, kInclude, kBoth},
    {"-imacros", kJoinedOrSeparate, kPreprocessor, kBoth},
    {"-iprefix", kJoinedOrSeparate, kPreprocessor, kBoth},
    {"-iwithprefix", kJoinedOrSeparate, kPreprocessor, kBoth},
    {"-iwithprefixbefore", kJoinedOrSeparate, kPreprocessor, kBoth},
    {"-cxx-isystem", kJoinedOrSeparate, kPreprocessor, kBoth},
    {"-isystem-after", kJoinedOrSeparate, kPreprocessor, kBoth},
    {"-iframework", kJoinedOrSeparate, kPreprocessor, kBoth},
    {"-iframeworkwithsysroot", kJoinedOrSeparate, kPreprocessor, kBoth},
    {"-F", kJoinedOrSeparate, kPreprocessor, kClang},
    {"-F", kJoinedOrSeparate, kCompile, kGcc},  // named in DW_AT_producer
    {"-nostdinc", kNone, kPreprocessor, kBoth},

    // Preprocessing options that are hashed all the same: gcc records -undef in DW_AT_producer
    // and warns about -nostdinc++ for C; a hashed sysroot costs little.
    {"-undef", kNone, kCompile, kBoth},
    {"-nostdinc++", kNone, kCompile, kBoth},
    // Hashed options with a separate argument (the value must not pass for an input file).
    {"-isysroot", kJoinedOrSeparate, kCompile, kBoth},
    {"--sysroot", kSeparate, kCompile, kBoth},
    {"--sysroot=", kJoined, kCompile, kBoth},
    {"-imultilib", kJoinedOrSeparate, kCompile, kBoth},
    {"-imultiarch", kJoinedOrSeparate, kCompile, kBoth},
    // Files seen at paths that hold other content: a direct-mode check would read the wrong ones.
    {"-ivfsoverlay", kJoinedOrSeparate, kUnsupported, kBoth},
    {"-resource-dir", kJoinedOrSeparate, kResourceDir, kBoth},
    {"-resource-dir=", kJoined, kResourceDir, kBoth},
    {"-A", kJoinedOrSeparate, kCompile, kBoth},
    {"-B", kJoinedOrSeparate, kCompile, kBoth},
    {"-G", kJoinedOrSeparate, kCompile, kBoth},
    {"-L", kJoinedOrSeparate, kCompile, kBoth},
    {"-l", kJoinedOrSeparate, kCompile, kBoth},
    {"-u", kJoinedOrSeparate, kCompile, kBoth},
    {"-e", kJoinedOrSeparate, kCompile, kBoth},
    {"-z", kJoinedOrSeparate, kCompile, kBoth},
    {"-T", kJoinedOrSeparate, kCompile, kBoth},
    {"-Tbss", kSeparate, kCompile, kBoth},
    {"-Tdata", kSeparate, kCompile, kBoth},
    {"-Ttext", kSeparate, kCompile, kBoth},
    {"-Xlinker", kSeparate, kCompile, kBoth},
    {"-framework", kSeparate, kCompile, kBoth},
    {"-weak_framework", kSeparate, kCompile, kBoth},
    {"--param", kSeparate, kCompile, kBoth},
    {"--param=", kJoined, kCompile, kBoth},
    {"-target", kSeparate, kCompile, kBoth},
    {"--target=", kJoined, kCompile, kBoth},
    {"-mllvm", kSeparate, kMllvm, kBoth},
    {"-gcc-toolchain", kSeparate, kCompile, kBoth},
    {"--gcc-toolchain=", kJoined, kCompile, kBoth},
    {"-dumpbase", kSeparate, kCompile, kBoth},
    {"-dumpbase-ext", kSeparate, kCompile, kBoth},
    {"-dumpdir", kSeparate, kCompile, kBoth},
    {"-arch", kSeparate, kArch, kBoth},
    // The long options ddcc knows; any other "--" option is not cacheable (gcc accepts
    // abbreviations such as --out, so they cannot be listed).
    {"--std", kSeparate, kCompile, kBoth},
    {"--std=", kJoined, kCompile, kBoth},
    {"--stdlib=", kJoined, kCompile, kBoth},
    {"--rtlib=", kJoined, kCompile, kBoth},
    {"--unwindlib=", kJoined, kCompile, kBoth},
    {"--ld-path=", kJoined, kCompile, kBoth},
    {"--driver-mode=gcc", kNone, kCompile, kClang},
    {"--driver-mode=g++", kNone, kCompile, kClang},

    // Options whose value is a file the compile reads.
    {"-fsanitize-blacklist=", kJoined, kExtraInput, kBoth},
    {"-fsanitize-ignorelist=", kJoined, kExtraInput, kBoth},
    {"-fsanitize-system-blacklist=", kJoined, kExtraInput, kBoth},
    {"-fsanitize-system-ignorelist=", kJoined, kExtraInput, kBoth},
    {"-fsanitize-coverage-allowlist=", kJoined, kExtraInput, kBoth},
    {"-fsanitize-coverage-whitelist=", kJoined, kExtraInput, kBoth},
    {"-fsanitize-coverage-ignorelist=", kJoined, kExtraInput, kBoth},
    {"-fsanitize-coverage-blacklist=", kJoined, kExtraInput, kBoth},
    {"-fsanitize-metadata-ignorelist=", kJoined, kExtraInput, kBoth},
    {"-frewrite-map-file=", kJoined, kExtraInput, kClang},  // symbols renamed
    {"-fxray-always-instrument=", kJoined, kExtraInput, kBoth},
    {"-fxray-never-instrument=", kJoined, kExtraInput, kBoth},
    {"-fxray-attr-list=", kJoined, kExtraInput, kBoth},
    {"-fprofile-sample-use=", kJoined, kExtraInput, kBoth},
    {"-fprofile-list=", kJoined, kExtraInput, kBoth},
    {"-fprofile-remapping-file=", kJoined, kExtraInput, kBoth},
    {"-fbasic-block-sections=list=", kJoined, kExtraInput, kBoth},

    // Profile-guided optimisation: the profile is an input (see Parser::SetProfileInput). gcc's
    // -fprofile-use=DIR names its files after the object's absolute path: not cacheable.
    {"-fprofile-use", kNone, kProfileUse, kBoth},
    {"-fprofile-use=", kJoined, kProfileUse, kClang},
    {"-fprofile-instr-use", kNone, kProfileUse, kClang},
    {"-fprofile-instr-use=", kJoined, kProfileUse, kClang},

    // Debug info, colour, and the pass-through options.
    {"-g", kJoined, kDebug, kBoth},
    {"-fdiagnostics-color", kJoined, kColor, kBoth},
    {"-fno-diagnostics-color", kNone, kColor, kBoth},
    {"-fcolor-diagnostics", kNone, kColor, kBoth},
    {"-fno-color-diagnostics", kNone, kColor, kBoth},
    {"-fdiagnostics-plain-output", kNone, kColor, kGcc},  // -fdiagnostics-color=never and more
    {"-Wp,", kJoined, kWp, kBoth},
    {"-Xpreprocessor", kSeparate, kWp, kBoth},
    {"-Wa,", kJoined, kWa, kBoth},

    // Files written beside the object, named after it; the object may name them too.
    {"--coverage", kNone, kAuxOutput, kBoth},
    {"-ftest-coverage", kNone, kAuxOutput, kBoth},
    {"-fprofile-arcs", kNone, kAuxOutput, kBoth},
    // gcc's object names its .gcda by the object's absolute path, as -fprofile-arcs's does.
    {"-fprofile-generate", kNone, kAuxOutput, kBoth},
    {"-fprofile-generate=", kJoined, kAuxOutput, kBoth},
    {"-fstack-usage", kNone, kAuxOutput, kBoth},
    {"-gsplit-dwarf", kNone, kAuxOutput, kBoth},
    {"-gsplit-dwarf=split", kNone, kAuxOutput, kBoth},
    {"-gsplit-dwarf=single", kNone, kCompile, kClang},

    // Not cacheable: extra output files.
    {"-save-temps", kJoined, kUnsupported, kBoth},
    {"-fstack-usage=", kJoined, kUnsupported, kBoth},
    {"-fcallgraph-info", kJoined, kUnsupported, kBoth},
    {"-fdump", kJoined, kUnsupported, kBoth},
    {"-fopt-info", kJoined, kCompile, kBoth},  // to stderr; to a file (=file) not cacheable
    {"-fsave-optimization-record", kJoined, kUnsupported, kBoth},
    {"-foptimization-record-", kJoined, kUnsupported, kBoth},
    {"-ftime-trace", kJoined, kUnsupported, kBoth},
    {"-fdeps-", kJoined, kUnsupported, kBoth},
    {"-fdiagnostics-format=sarif-file", kNone, kUnsupported, kBoth},
    {"-fdiagnostics-format=json-file", kNone, kUnsupported, kBoth},
    {"-gsplit-dwarf=", kJoined, kUnsupported, kBoth},  // but see the files beside the object
    {"-aux-info", kSeparate, kUnsupported, kBoth},
    {"-aux-info=", kJoined, kUnsupported, kBoth},
    {"-serialize-diagnostics", kSeparate, kUnsupported, kBoth},
    {"-index-store-path", kSeparate, kUnsupported, kBoth},
    {"-d", kJoined, kUnsupported, kBoth},  // -dD, -dM, -da ...: dumps (-dumpbase etc. are above)
    // Not cacheable: profiles and coverage (inputs ddcc cannot see, or paths in the object).
    {"-fprofile-", kJoined, kUnsupported, kBoth},
    {"-fprofile-sample-accurate", kNone, kCompile, kBoth},
    // How gcc reads the profile -fprofile-use keys (CPython's --enable-optimizations).
    {"-fprofile-correction", kNone, kCompile, kGcc},
    // clang's source-based coverage: the profile's path is the runtime's; the coverage mapping
    // names the working directory (OptionsNameCwd).
    {"-fprofile-instr-generate", kNone, kCompile, kClang},
    {"-fprofile-instr-generate=", kJoined, kCompile, kClang},
    {"-fcoverage-mapping", kNone, kCompile, kClang},
    {"-fno-coverage-mapping", kNone, kCompile, kClang},
    {"-fauto-profile", kJoined, kUnsupported, kBoth},
    {"-fcs-profile-generate", kJoined, kUnsupported, kBoth},
    {"-fbranch-probabilities", kNone, kUnsupported, kBoth},
    {"-fcoverage-", kJoined, kUnsupported, kBoth},
    // Not cacheable: timing and statistics are wanted fresh.
    {"-ftime-report", kJoined, kUnsupported, kBoth},
    {"-fmem-report", kJoined, kUnsupported, kBoth},
    {"-fpre-ipa-mem-report", kNone, kUnsupported, kGcc},
    {"-fpost-ipa-mem-report", kNone, kUnsupported, kGcc},
    {"-fproc-stat-report", kJoined, kUnsupported, kBoth},
    {"-save-stats", kJoined, kUnsupported, kBoth},
    {"-time", kJoined, kUnsupported, kBoth},
    {"-Q", kNone, kUnsupported, kGcc},  // each function's name as compiled, and timings
    {"-fstats", kNone, kUnsupported, kBoth},
    // g++ -fvtable-verify appends them to logs in the working directory at every compile.
    {"-fvtv-counts", kNone, kUnsupported, kGcc},
    {"-fvtv-debug", kNone, kUnsupported, kGcc},
    // Not cacheable: the compiler reads or runs what ddcc cannot see.
    {"-remap", kNone, kUnsupported, kGcc},  // header.gcc in every search directory
    {"-fthin-link-bitcode=", kJoined, kUnsupported, kClang},  // another output
    // Offloading runs the target's tools (ptxas) from an installation found on PATH.
    {"-fopenmp-targets=", kJoined, kUnsupported, kBoth},
    {"-specs", kSeparate, kUnsupported, kBoth},
    {"-specs=", kJoined, kUnsupported, kBoth},
    {"-wrapper", kSeparate, kUnsupported, kBoth},
    {"-fplugin", kJoined, kUnsupported, kBoth},
    {"-fpass-plugin", kJoined, kUnsupported, kBoth},
    {"-fcompare-debug", kJoined, kUnsupported, kBoth},
    {"-include-pch", kSeparate, kUnsupported, kBoth},
    {"-fpch-", kJoined, kUnsupported, kBoth},
    {"-fmodule", kJoined, kUnsupported, kBoth},  // -fmodules, -fmodule-map-file=, -fmodules-ts
    {"-fcxx-modules", kNone, kUnsupported, kBoth},
    {"-fimplicit-module", kJoined, kUnsupported, kBoth},
    {"-fbuiltin-module-map", kNone, kUnsupported, kBoth},
    {"-fprebuilt-", kJoined, kUnsupported, kBoth},
    {"-gmodules", kNone, kUnsupported, kBoth},
    {"-working-directory", kSeparate, kUnsupported, kBoth},
    {"-working-directory=", kJoined, kUnsupported, kBoth},
    {"-ccc-", kJoined, kUnsupported, kBoth},
    {"-fdriver-only", kNone, kUnsupported, kBoth},
    {"-Xclang", kSeparate, kXclang, kClang},
    {"-Xassembler", kSeparate, kWa, kBoth},
    {"-X", kJoined, kUnsupported, kBoth},  // -Xarch_..., -Xopenmp-target, -Xcuda-...
    // Not cacheable: the preprocessed text would not be what the compiler sees, or would lack
    // the line markers that carry file names.
    {"-P", kNone, kUnsupported, kBoth},
    {"-fpreprocessed", kNone, kUnsupported, kBoth},
    {"-fdirectives-only", kNone, kUnsupported, kBoth},
    // Not cacheable: ddcc's own -E text would not be in the form it reads (a {P:...} prefix on
    // every line, #line for markers, comments that may hold what looks like a marker).
    {"-fdebug-cpp", kNone, kUnsupported, kGcc},
    {"-fuse-line-directives", kNone, kUnsupported, kClang},
    {"-C", kNone, kUnsupported, kBoth},
    {"-CC", kNone, kUnsupported, kBoth},
    {"-frewrite-includes", kNone, kUnsupported, kClang},  // keeps the comments, as -C
    {"-frewrite-imports", kNone, kUnsupported, kClang},
    // Files read in a charset that is no superset of ASCII (UTF-16) are not, to ddcc's scans,
    // what the compiler reads: those are not cacheable (Parser::Option).
    {"-finput-charset=", kJoined, kCompile, kBoth},
    // Not cacheable: the whole command line, -I, -D and -o included, goes into the object.
    {"-frecord-command-line", kNone, kUnsupported, kBoth},
    {"-fembed-bitcode=marker", kNone, kUnsupported, kClang},  // the whole cc1 command line
    {"-grecord-command-line", kNone, kUnsupported, kBoth},
    {"-frecord-gcc-switches", kNone, kUnsupported, kClang},  // gcc records only hashed options
    {"-grecord-gcc-switches", kNone, kUnsupported, kClang},
    // Not cacheable: clang's debug info holds the sources' own text (comments too). Its macro
    // definitions (-g3, -fdebug-macro) are in the text, which is preprocessed with -dD then.
    {"-gembed-source", kNone, kUnsupported, kClang},
};

bool Applies(const OptionSpec& spec, Family family) {
  return (spec.families & (1 << static_cast<int>(family))) != 0;
}

}  // namespace

bool NamesFiles(absl::string_view arg) {
  static constexpr absl::string_view kPrefixes[] = {
      "-fsanitize=",
      "-finstrument-functions-exclude-file-list=",
      "-fprofile-filter-files=",
      "-fprofile-exclude-files=",
      "-fxray-always-instrument=",
      "-fxray-never-instrument=",
      "-fxray-attr-list=",
      "-fsanitize-coverage-ignorelist=",
      "-fsanitize-coverage-allowlist=",
      "-fsanitize-coverage-blocklist=",
      "-fsanitize-coverage-whitelist=",
      "-fsanitize-ignorelist=",
      "-fsanitize-blacklist=",
      "-fsanitize-system-ignorelist=",
      "-fprofile-list=",
      // Instrumentation names a file-local function after its file.
      "-fprofile-instr-generate",
      "-fprofile-generate",
  };
  for (absl::string_view prefix : kPrefixes) {
    if (absl::StartsWith(arg, prefix)) return true;
  }
  return false;
}

const OptionSpec* FindOption(Family family, absl::string_view arg) {
  for (const OptionSpec& spec : kOptions) {
    if (spec.arg != kJoined && spec.name == arg && Applies(spec, family)) return &spec;
  }
  const OptionSpec* best = nullptr;
  for (const OptionSpec& spec : kOptions) {
    if (spec.arg != kJoined && spec.arg != kJoinedOrSeparate) continue;
    if (!absl::StartsWith(arg, spec.name) || !Applies(spec, family)) continue;
    if (best == nullptr || spec.name.size() > best->name.size()) best = &spec;
  }
  return best;
}

std::string OptionsNameCwd(Family family, const std::vector<std::string>& args,
                           absl::string_view source) {
  bool lto = false, absolute_messages = false, names_source = false;
  bool coverage_mapping = false, embed_bitcode = false, verbose_asm = false;
  for (const std::string& arg : args) {
    if (arg == "-fcoverage-mapping" || arg == "-fno-coverage-mapping") {
      coverage_mapping = arg == "-fcoverage-mapping";
    }
    if (arg == "-flto" || absl::StartsWith(arg, "-flto=")) lto = true;
    if (arg == "-fno-lto") lto = false;
    absolute_messages |= arg == "-fdiagnostics-absolute-paths";
    names_source |= arg == "-emit-llvm" || arg == "-funique-internal-linkage-names" ||
                    arg == "-fpseudo-probe-for-profiling";
    if (absl::StartsWith(arg, "-fembed-bitcode") || arg == "-fno-embed-bitcode") {
      embed_bitcode = arg != "-fno-embed-bitcode" && arg != "-fembed-bitcode=off";
    }
    verbose_asm |= arg == "-fverbose-asm";
  }
  if (family == Family::kGcc) {
    if (lto) return "gcc's LTO sections (-flto) name it";
    // gcc's assembly quotes each line of code under its file's name, as the compile read it.
    if (verbose_asm) {
      return "gcc's -fverbose-asm names the files it quotes by the paths it read them by";
    }
    return "";
  }
  if (coverage_mapping) return "clang's coverage mapping (-fcoverage-mapping) names it";
  if (absolute_messages) {
    return "messages name files by absolute paths (-fdiagnostics-absolute-paths)";
  }
  if ((lto || names_source || embed_bitcode) && absl::StartsWith(source, "/")) {
    return "the object names the source by the absolute path it was given (bitcode, "
           "-fembed-bitcode, -funique-internal-linkage-names)";
  }
  return "";
}

}  // namespace ddcc
