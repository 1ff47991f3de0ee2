#include "launcher/driver_probe.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <climits>
#include <cstdio>
#include <cstdlib>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "cache/util/files.h"
#include "launcher/clang_search_places.h"
#include "launcher/compiler_probe.h"
#include "launcher/options.h"
#include "launcher/process.h"
#include "launcher/target_triple.h"

namespace ddcc {
namespace {

bool IsNative(absl::string_view arg) {
  return arg == "-march=native" || arg == "-mtune=native" || arg == "-mcpu=native";
}

// Whether the driver may run programs from elsewhere than its own installation.
bool ProgramsFromElsewhere(const CompileRequest& request, const EnvLookup& env) {
  if (env("COMPILER_PATH") != nullptr || env("GCC_EXEC_PREFIX") != nullptr) {
    return true;
  }
  for (const std::string& arg : request.hashed_args) {
    if (absl::StartsWith(arg, "-B") || absl::StartsWith(arg, "--gcc-toolchain") ||
        arg == "-gcc-toolchain") {
      return true;
    }
  }
  return false;
}

absl::StatusOr<std::string> DriverListing(const Compiler& compiler,
                                          const std::vector<std::string>& args) {
  std::vector<std::string> argv = {compiler.path, "-###"};
  argv.insert(argv.end(), args.begin(), args.end());
  absl::StatusOr<ProcessResult> run = RunAside(argv);
  if (!run.ok()) return run.status();
  if (run->exit_code != 0 || run->term_signal != 0) {
    return absl::FailedPreconditionError("the driver's -### failed");
  }
  return std::move(run->err);
}

// The program of each command in a -### listing: the lines that begin with a space, their
// first word (gcc writes it bare, clang quoted; clang's " (in-process)" only says that the next
// command runs in the driver).
std::vector<std::string> ProgramsIn(absl::string_view listing) {
  std::vector<std::string> programs;
  for (absl::string_view line : absl::StrSplit(listing, '\n')) {
    if (!absl::ConsumePrefix(&line, " ") || line.empty() || line == "(in-process)") continue;
    if (absl::ConsumePrefix(&line, "\"")) {
      programs.emplace_back(line.substr(0, line.find('"')));
    } else {
      programs.emplace_back(line.substr(0, line.find(' ')));
    }
  }
  return programs;
}

// `<program> identity` for each program of a listing; a bare name is run from PATH.
absl::StatusOr<std::vector<std::string>> ProgramIdentities(absl::string_view listing,
                                                           const Config& config,
                                                           const EnvLookup& env) {
  std::vector<std::string> identities;
  for (const std::string& name : ProgramsIn(listing)) {
    absl::StatusOr<Compiler> program = FindCompiler(name, env);
    absl::StatusOr<Digest> identity =
        program.ok() ? CompilerIdentity(*program, config) : program.status();
    if (!identity.ok()) return identity.status();
    identities.push_back(absl::StrCat(program->path, " ", identity->Hex()));
  }
  return identities;
}

// `name` (a file name) is a temporary one: gcc's ccXXXXXX.ext or clang's stem-XXXXXX.ext.
bool IsTemporaryName(absl::string_view name) {
  const size_t dot = name.rfind('.');
  if (dot == absl::string_view::npos || dot < 6) return false;
  for (char c : name.substr(dot - 6, 6)) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c))) return false;
  }
  return (dot == 8 && absl::StartsWith(name, "cc")) || (dot > 7 && name[dot - 7] == '-');
}

// Whether the compile runs an assembler from outside the compiler: gcc always, clang when told,
// or for a target it does not assemble for itself.
bool RunsOutsideAssembler(const Compiler& compiler, const CompileRequest& request) {
  if (compiler.family == Family::kGcc) return true;
  bool outside = !ClangAssemblesItself(TargetTriple(compiler, request.hashed_args));
  for (const std::string& arg : request.hashed_args) {
    if (arg == "-fno-integrated-as" || arg == "-no-integrated-as") outside = true;
    if (arg == "-fintegrated-as" || arg == "-integrated-as") outside = false;
  }
  return outside;
}

// The directories gcc looks in for the programs it runs before PATH (`-print-search-dirs`),
// which it finds relative to its own binary: a relocated or cross toolchain's own binutils are
// there (/usr/aarch64-linux-gnu/bin/as). Kept by the binary's stamp; GCC_EXEC_PREFIX,
// COMPILER_PATH and -B change them, which ProgramsFromElsewhere leaves to the -### listing.
absl::StatusOr<std::vector<std::string>> GccProgramDirs(const Compiler& compiler,
                                                        const Config& config) {
  absl::StatusOr<Digest> stamp = CompilerStamp(compiler);
  if (!stamp.ok()) return stamp.status();
  const std::string memo = absl::StrCat(stamp->Hex(), ".programs");
  std::optional<std::string> dirs = ReadCompilerMemo(config, memo);
  if (!dirs || !absl::StartsWith(*dirs, "programs: =")) {
    absl::StatusOr<ProcessResult> asked =
        RunAside({compiler.path, "-print-search-dirs"}, {"LC_ALL=C"});  // "programs:" untranslated
    if (!asked.ok()) return asked.status();
    const size_t at = asked->out.find("\nprograms: =");
    if (asked->exit_code != 0 || at == std::string::npos) {
      return absl::FailedPreconditionError("-print-search-dirs names no programs' directories");
    }
    dirs = asked->out.substr(at + 1, asked->out.find('\n', at + 1) - at - 1);
    WriteCompilerMemo(config, memo, *dirs);
  }
  // Each once: gcc lists some twice, and every call looks in them.
  std::vector<std::string> unique;
  for (absl::string_view dir : absl::StrSplit(absl::string_view(*dirs).substr(11), ':')) {
    if (!dir.empty() && std::find(unique.begin(), unique.end(), dir) == unique.end()) {
      unique.emplace_back(dir);
    }
  }
  return unique;
}

// `path identity` of the program `name` (a path, or a name looked up on PATH).
std::string ProgramIdentity(const std::string& name, const Config& config, const EnvLookup& env) {
  absl::StatusOr<Compiler> program = FindCompiler(name, env);
  absl::StatusOr<Digest> identity =
      program.ok() ? CompilerIdentity(*program, config) : program.status();
  return identity.ok() ? absl::StrCat(program->path, " ", identity->Hex()) : "absent";
}

// The program `name` ("as", "objcopy") the compile runs: for gcc the first in its programs'
// directories, else (and for clang) the one on PATH.
absl::StatusOr<std::string> DriverProgram(const Compiler& compiler, const std::string& name,
                                          const Config& config, const EnvLookup& env) {
  if (compiler.family == Family::kGcc) {
    absl::StatusOr<std::vector<std::string>> dirs = GccProgramDirs(compiler, config);
    if (!dirs.ok()) return dirs.status();
    for (const std::string& dir : *dirs) {
      const std::string path = absl::StrCat(dir, name);
      if (access(path.c_str(), X_OK) == 0 && !IsDirectory(path)) {
        return ProgramIdentity(path, config, env);
      }
    }
  }
  return ProgramIdentity(name, config, env);
}

// The -B options' values, in order, as gcc reads them: a directory named without its slash gets
// one.
std::vector<std::string> BPrefixes(const CompileRequest& request) {
  std::vector<std::string> prefixes;
  const std::vector<std::string>& args = request.hashed_args;
  for (size_t i = 0; i < args.size(); ++i) {
    std::string prefix;
    if (args[i] == "-B" && i + 1 < args.size()) {
      prefix = args[++i];
    } else if (absl::StartsWith(args[i], "-B") && args[i].size() > 2) {
      prefix = args[i].substr(2);
    } else {
      continue;
    }
    if (!absl::EndsWith(prefix, "/") && IsDirectory(prefix)) prefix.push_back('/');
    prefixes.push_back(std::move(prefix));
  }
  return prefixes;
}

// The prefixes gcc looks for header directories below: each -B prefix, then each COMPILER_PATH
// directory with a slash after it.
std::vector<std::string> DriverPrefixes(const CompileRequest& request, const EnvLookup& env) {
  std::vector<std::string> prefixes = BPrefixes(request);
  if (const char* path = env("COMPILER_PATH")) {
    for (absl::string_view dir : absl::StrSplit(path, ':', absl::SkipEmpty())) {
      prefixes.push_back(absl::StrCat(absl::StripSuffix(dir, "/"), "/"));
    }
  }
  return prefixes;
}

// gcc's <machine>/<version> (x86_64-linux-gnu/12), below which it looks in each prefix too: the
// last two names of the directory of its libgcc (which no locale translates, as it may
// -print-search-dirs' words), asked once per binary.
absl::StatusOr<std::string> GccTargetDir(const Compiler& compiler, const Config& config) {
  absl::StatusOr<Digest> stamp = CompilerStamp(compiler);
  if (!stamp.ok()) return stamp.status();
  const std::string memo = absl::StrCat(stamp->Hex(), ".target-dir");
  if (std::optional<std::string> known = ReadCompilerMemo(config, memo)) return *known;
  constexpr int kTimeoutMs = 10'000;
  absl::StatusOr<ProcessResult> asked =
      RunProbe({compiler.path, "-print-libgcc-file-name"}, kTimeoutMs);
  if (!asked.ok()) return asked.status();
  const absl::string_view libgcc = absl::StripTrailingAsciiWhitespace(asked->out);
  const size_t version = libgcc.rfind('/');
  const size_t machine = version == 0 || version == absl::string_view::npos
                             ? absl::string_view::npos
                             : libgcc.rfind('/', version - 1);
  const size_t start = machine == 0 || machine == absl::string_view::npos
                           ? absl::string_view::npos
                           : libgcc.rfind('/', machine - 1);
  std::string dir;
  if (asked->exit_code == 0 && start != absl::string_view::npos) {
    dir = std::string(libgcc.substr(start + 1, version - start - 1));
  } else {
    // A gcc without its libgcc (a bootstrap cross compiler) names just "libgcc.a": what it
    // says of its machine and version names the same directory.
    absl::StatusOr<ProcessResult> machine_of =
        RunProbe({compiler.path, "-dumpmachine"}, kTimeoutMs);
    absl::StatusOr<ProcessResult> version_of =
        RunProbe({compiler.path, "-dumpversion"}, kTimeoutMs);
    if (!machine_of.ok() || !version_of.ok() || machine_of->exit_code != 0 ||
        version_of->exit_code != 0 || machine_of->out.empty() || version_of->out.empty()) {
      return absl::FailedPreconditionError("gcc names neither its libgcc nor its machine");
    }
    dir = absl::StrCat(absl::StripTrailingAsciiWhitespace(machine_of->out), "/",
                       absl::StripTrailingAsciiWhitespace(version_of->out));
  }
  WriteCompilerMemo(config, memo, dir);
  return dir;
}

// The header directories gcc's driver adds (-isystem) below each prefix of DriverPrefixes where
// they exist: <machine>/<version>/include, <multiarch>/include (the machine's, or a multilib's:
// i386-linux-gnu for -m32), include, and the same of include-fixed; each as "<dir> present" or
// "<dir> absent".
absl::StatusOr<std::vector<std::string>> GccPrefixIncludes(const Compiler& compiler,
                                                           const CompileRequest& request,
                                                           const Config& config,
                                                           const EnvLookup& env) {
  std::vector<std::string> dirs;
  const std::vector<std::string> prefixes = DriverPrefixes(request, env);
  if (prefixes.empty()) return dirs;
  absl::StatusOr<std::string> target_dir = GccTargetDir(compiler, config);
  if (!target_dir.ok()) return target_dir.status();
  const absl::string_view machine = absl::string_view(*target_dir).substr(0, target_dir->find('/'));
  for (const std::string& prefix : prefixes) {
    // A multilib's are below its own multiarch name (i386-linux-gnu with -m32): every name in
    // the prefix that may be one (with a '-', without a '.'), as the machine's.
    std::vector<std::string> machines = {std::string(machine)};
    if (absl::EndsWith(prefix, "/")) {
      for (std::string& entry : ListDirectory(prefix).value_or(std::vector<std::string>())) {
        if (absl::StrContains(entry, '-') && !absl::StrContains(entry, '.') &&
            entry != machines.front()) {
          machines.push_back(std::move(entry));
        }
      }
      std::sort(machines.begin() + 1, machines.end());
    }
    for (absl::string_view name : {"include", "include-fixed"}) {
      std::vector<std::string> places = {absl::StrCat(prefix, *target_dir, "/", name)};
      for (const std::string& each : machines)
        places.push_back(absl::StrCat(prefix, each, "/", name));
      places.push_back(absl::StrCat(prefix, name));
      for (const std::string& dir : places) {
        dirs.push_back(absl::StrCat(dir, IsDirectory(dir) ? " present" : " absent"));
      }
    }
  }
  return dirs;
}

// gcc reads the first specs file (which may change any option) among <prefix><machine>/<version>/
// specs and <prefix>specs, for each -B prefix, then each directory of LIBRARY_PATH and LPATH, then
// its installation's: each place before the installation's, as "<path> <content digest>",
// "<path> absent" or "<path> unreadable". The installation's own are the compiler's, as its
// programs are.
absl::StatusOr<std::vector<std::string>> GccSpecsFiles(const Compiler& compiler,
                                                       const CompileRequest& request,
                                                       const Config& config, const EnvLookup& env) {
  std::vector<std::string> prefixes = BPrefixes(request);
  for (const char* name : {"GCC_EXEC_PREFIX", "LIBRARY_PATH", "LPATH"}) {
    const char* dirs = env(name);
    if (dirs == nullptr) continue;
    for (absl::string_view dir : absl::StrSplit(dirs, ':', absl::SkipEmpty())) {
      prefixes.push_back(absl::StrCat(absl::StripSuffix(dir, "/"), "/"));
    }
  }
  std::vector<std::string> places;
  if (prefixes.empty()) return places;
  absl::StatusOr<std::string> target_dir = GccTargetDir(compiler, config);
  if (!target_dir.ok()) return target_dir.status();
  for (const std::string& prefix : prefixes) {
    for (const std::string& path :
         {absl::StrCat(prefix, *target_dir, "/specs"), absl::StrCat(prefix, "specs")}) {
      // One gcc cannot read (a directory, a path through a file) it passes over, as this call
      // does with what is there now.
      absl::StatusOr<Digest> content = HashFile(path);
      places.push_back(absl::StrCat(path, " ",
                                    content.ok()                         ? content->Hex()
                                    : absl::IsNotFound(content.status()) ? "absent"
                                                                         : "unreadable"));
    }
  }
  return places;
}

constexpr absl::string_view kEnvironmentLine = "ddcc-environment: ";

// Variables that gcc's driver or cc1 read and a wrapper may set for them: neither -### nor the
// arguments show them.
bool CompileReads(absl::string_view name) {
  return absl::StartsWith(name, "GCC_") || absl::StartsWith(name, "LC_") || name == "LANG" ||
         name == "LANGUAGE" || name == "OUTPUT_CHARSET" || name == "CPATH" ||
         absl::EndsWith(name, "_INCLUDE_PATH") || name == "SOURCE_DATE_EPOCH" ||
         name == "DEPENDENCIES_OUTPUT" || name == "SUNPRO_DEPENDENCIES" ||
         name == "COMPILER_PATH" || name == "TERM_URLS";
}

// The words of a COLLECT_GCC_OPTIONS value: each one quoted, a quote within as '\''.
std::vector<std::string> CollectedOptions(absl::string_view value) {
  std::vector<std::string> options;
  std::string word;
  bool quoted = false, in_word = false;
  for (size_t i = 0; i < value.size(); ++i) {
    const char c = value[i];
    if (c == '\'') {
      quoted = !quoted;
      in_word = true;
    } else if (!quoted && c == '\\' && i + 1 < value.size()) {
      word += value[++i];
    } else if (!quoted && c == ' ') {
      if (in_word) options.push_back(std::move(word));
      word.clear();
      in_word = false;
    } else {
      word += c;
    }
  }
  if (in_word) options.push_back(std::move(word));
  return options;
}

// The files that the options of a listing's commands name after an '=' (clang's
// `-fsanitize-ignorelist=FILE`, `-fprofile-instrument-use-path=FILE`, ...), each as "path digest":
// the listing holds only their names.
absl::StatusOr<std::string> FilesNamedByOptions(absl::string_view listing) {
  std::string named;
  for (absl::string_view line : absl::StrSplit(listing, '\n')) {
    if (!absl::StartsWith(line, " ")) continue;
    for (absl::string_view token : absl::StrSplit(line, ' ', absl::SkipEmpty())) {
      absl::ConsumePrefix(&token, "\"");
      absl::ConsumeSuffix(&token, "\"");
      const size_t eq = token.rfind('=');
      if (!absl::StartsWith(token, "-") || eq == absl::string_view::npos) continue;
      const std::string path(token.substr(eq + 1));
      struct stat st;
      if (path.empty() || stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
      absl::StatusOr<Digest> content = HashFile(path);
      if (!content.ok()) return content.status();
      absl::StrAppend(&named, "file ", path, " ", content->Hex(), "\n");
    }
  }
  return named;
}

// A gcc that a wrapper runs gets the wrapper's options too: read as the user's would be, they
// must be cacheable, and write and read no file that the user's do not. What they make the
// object name where the user's do not goes to `facts`.
absl::Status CheckWrappedOptions(absl::string_view listing, const CompileRequest& request,
                                 DriverFacts& facts) {
  const size_t at = listing.find("COLLECT_GCC_OPTIONS=");
  if (at == absl::string_view::npos) return absl::FailedPreconditionError("no COLLECT_GCC_OPTIONS");
  absl::string_view line = listing.substr(at + 20);
  line = line.substr(0, line.find('\n'));
  std::vector<std::string> args = CollectedOptions(line);
  args.push_back(request.source);  // gcc leaves its inputs out
  std::variant<CompileRequest, NotCacheable> parsed = ParseArgs(Family::kGcc, args);
  if (auto* refused = std::get_if<NotCacheable>(&parsed)) {
    return absl::FailedPreconditionError(
        absl::StrCat("the wrapper runs gcc with an option ddcc does not cache: ", refused->detail));
  }
  const CompileRequest& wrapped = std::get<CompileRequest>(parsed);
  if (std::optional<NotCacheable> precompiled = ForcedIncludeNotCacheable(wrapped)) {
    return absl::FailedPreconditionError(
        absl::StrCat("the wrapper runs gcc with ", precompiled->detail));
  }
  if (wrapped.object != request.object || wrapped.generates_deps != request.generates_deps ||
      wrapped.dep_file != request.dep_file || wrapped.aux_outputs != request.aux_outputs ||
      wrapped.object_names_itself != request.object_names_itself) {
    return absl::FailedPreconditionError("the wrapper's options make gcc write other files");
  }
  if (wrapped.extra_input_files != request.extra_input_files) {
    return absl::FailedPreconditionError("the wrapper's options make gcc read other files");
  }
  if ((wrapped.debug_info && !request.debug_info) ||
      (wrapped.debug_macros && !request.debug_macros)) {
    facts.wrapper_names_cwd = "the wrapper adds debug information (-g), which names it";
  } else if (std::string why = OptionsNameCwd(Family::kGcc, wrapped.expanded_args, request.source);
             !why.empty() &&
             why != OptionsNameCwd(Family::kGcc, request.expanded_args, request.source)) {
    facts.wrapper_names_cwd = absl::StrCat("the wrapper's options: ", why);
  }
  facts.wrapper_names_files = wrapped.names_files && !request.names_files;
  const auto offloads = [](const std::vector<std::string>& args) {
    return std::any_of(args.begin(), args.end(), [](const std::string& arg) {
      return arg == "-fopenmp" || arg == "-fopenacc";
    });
  };
  facts.wrapper_offloads = offloads(wrapped.expanded_args) && !offloads(request.expanded_args);
  return absl::OkStatus();
}

// The search list and the environment of the gcc a wrapper runs, as `-E -v` shows them.
absl::StatusOr<std::string> WrappedSearchAndEnvironment(const Compiler& compiler,
                                                        const CompileRequest& request) {
  char self[PATH_MAX];
  if (realpath("/proc/self/exe", self) == nullptr || absl::StrContains(self, ',')) {
    return absl::FailedPreconditionError("ddcc's own path cannot be given to -wrapper");
  }
  absl::StatusOr<ProcessResult> searched =
      RunAside({compiler.path, "-E", "-v", "-x", request.language, "/dev/null", "-wrapper",
                absl::StrCat(self, ",", kCompileEnvironmentCommand)});
  if (!searched.ok()) return searched.status();
  if (searched->exit_code != 0 || searched->term_signal != 0) {
    return absl::FailedPreconditionError("the search path probe failed");
  }
  absl::string_view err = searched->err;
  const size_t begin = err.find("search starts here:");
  const size_t end = err.find("End of search list.");
  if (begin == absl::string_view::npos || end == absl::string_view::npos || end < begin) {
    return absl::FailedPreconditionError("no search list from the search path probe");
  }
  std::string seen = absl::StrCat("search list\n", err.substr(begin, end - begin));
  bool environment_shown = false;
  for (absl::string_view line : absl::StrSplit(err, '\n')) {
    if (line == "ddcc-environment") environment_shown = true;
    if (!absl::ConsumePrefix(&line, kEnvironmentLine)) continue;
    if (absl::StartsWith(line, "DEPENDENCIES_OUTPUT=") ||
        absl::StartsWith(line, "SUNPRO_DEPENDENCIES=")) {
      return absl::FailedPreconditionError(
          absl::StrCat("the wrapper makes gcc write a dependency file: ", line));
    }
    absl::StrAppend(&seen, "environment ", line, "\n");
  }
  if (!environment_shown) {
    return absl::FailedPreconditionError("the wrapper does not pass -wrapper on to gcc");
  }
  return seen;
}

}  // namespace

int PrintCompileEnvironmentAndRun(const std::vector<std::string>& argv) {
  std::vector<std::string> lines = {"ddcc-environment\n"};
  for (char** entry = environ; *entry != nullptr; ++entry) {
    absl::string_view variable = *entry;
    if (CompileReads(variable.substr(0, variable.find('=')))) {
      lines.push_back(absl::StrCat(kEnvironmentLine, variable, "\n"));
    }
  }
  std::sort(lines.begin() + 1, lines.end());
  std::fputs(absl::StrJoin(lines, "").c_str(), stderr);
  std::fflush(stderr);
  if (argv.empty()) return 0;
  absl::Status status = ExecReplace(argv);
  std::fprintf(stderr, "ddcc: cannot run %s: %s\n", argv[0].c_str(),
               std::string(status.message()).c_str());
  return 127;
}

std::string WithoutTemporaryNames(absl::string_view listing,
                                  const std::vector<std::string>& temp_dirs) {
  std::string out;
  for (absl::string_view line : absl::StrSplit(listing, '\n')) {
    for (absl::string_view token : absl::StrSplit(line, ' ')) {
      absl::string_view path = token;
      absl::ConsumePrefix(&path, "\"");
      absl::ConsumeSuffix(&path, "\"");
      absl::ConsumePrefix(&path, "'");
      absl::ConsumeSuffix(&path, "'");
      const size_t slash = path.rfind('/');
      const bool temporary =
          slash != absl::string_view::npos && IsTemporaryName(path.substr(slash + 1)) &&
          std::any_of(temp_dirs.begin(), temp_dirs.end(),
                      [&](const std::string& dir) { return path.substr(0, slash) == dir; });
      absl::StrAppend(&out, temporary ? "<temporary>" : token, " ");
    }
    out.push_back('\n');
  }
  return out;
}

absl::StatusOr<DriverFacts> ProbeDriver(const Compiler& compiler, const CompileRequest& request,
                                        const Config& config, const EnvLookup& env) {
  DriverFacts facts;
  // A wrapper's listing names its assembler, found as gcc finds it (ProgramIdentities), as does
  // the listing where programs come from elsewhere.
  const bool from_elsewhere = ProgramsFromElsewhere(request, env);
  if (!compiler.probed && RunsOutsideAssembler(compiler, request)) {
    absl::StatusOr<std::string> assembler = from_elsewhere
                                                ? ProgramIdentity("as", config, env)
                                                : DriverProgram(compiler, "as", config, env);
    if (!assembler.ok()) return assembler.status();
    facts.assembler = *std::move(assembler);
  }
  // gcc's -gsplit-dwarf has objcopy move the split sections into the .dwo.
  if (!compiler.probed && !from_elsewhere && compiler.family == Family::kGcc &&
      std::any_of(request.aux_outputs.begin(), request.aux_outputs.end(),
                  [](const auto& aux) { return aux.first == ".dwo"; })) {
    absl::StatusOr<std::string> objcopy = DriverProgram(compiler, "objcopy", config, env);
    if (!objcopy.ok()) return objcopy.status();
    facts.programs.push_back(*std::move(objcopy));
  }
  if (compiler.family == Family::kGcc) {
    absl::StatusOr<std::vector<std::string>> dirs =
        GccPrefixIncludes(compiler, request, config, env);
    if (!dirs.ok()) return dirs.status();
    facts.prefix_includes = *std::move(dirs);
  }
  if (compiler.family == Family::kGcc && !compiler.probed) {
    absl::StatusOr<std::vector<std::string>> specs = GccSpecsFiles(compiler, request, config, env);
    if (!specs.ok()) return specs.status();
    facts.gcc_specs_files = *std::move(specs);
  }
  if (compiler.family == Family::kClang && !compiler.probed) {
    facts.clang_search_places = ClangSearchPlaces(compiler, request);
    absl::StatusOr<std::vector<std::string>> configs = ClangConfigFiles(compiler, request);
    if (!configs.ok()) return configs.status();
    facts.clang_config_files = *std::move(configs);
  }
  std::vector<std::string> native;
  for (const std::string& arg : request.hashed_args) {
    if (IsNative(arg)) native.push_back(arg);
  }
  if (!native.empty()) {
    native.insert(native.begin(), {"-E", "-x", "c", "/dev/null"});
    absl::StatusOr<std::string> listing = DriverListing(compiler, native);
    if (!listing.ok()) return listing.status();
    facts.native_expansion = *std::move(listing);
  }
  // clang looks for an outside assembler by its target's name first, beside itself too
  // (x86_64-pc-linux-gnu-as): its listing names the one it runs.
  const bool clang_assembles_outside =
      compiler.family == Family::kClang && RunsOutsideAssembler(compiler, request);
  if (!compiler.probed && !from_elsewhere && !clang_assembles_outside) return facts;
  absl::StatusOr<std::string> listing = DriverListing(compiler, request.expanded_args);
  if (!listing.ok()) return listing.status();
  absl::StatusOr<std::vector<std::string>> programs = ProgramIdentities(*listing, config, env);
  if (!programs.ok()) return programs.status();
  if (compiler.probed) {
    // What the wrapper ran, as its listing says; a listing that shows neither hides what runs.
    const std::optional<Family> ran = absl::StrContains(*listing, "COLLECT_GCC=") ? Family::kGcc
                                      : absl::StrContains(*listing, "\"-cc1\"")
                                          ? std::optional(Family::kClang)
                                          : std::nullopt;
    if (!ran) {
      return absl::FailedPreconditionError(
          absl::StrCat(compiler.path, "'s -### listing shows no gcc or clang"));
    }
    // It answered as the other before (its environment picks the compiler): the listing keys
    // this call; the next one asks again, and reads its arguments as the right family's.
    if (ran != compiler.family) ForgetFamily(compiler, config);
    std::vector<std::string> temp_dirs = {"/tmp", "/var/tmp", "/usr/tmp"};
    for (const char* name : {"TMPDIR", "TMP", "TEMP", "TEMPDIR"}) {
      if (const char* dir = env(name); dir != nullptr && *dir != '\0') {
        temp_dirs.emplace_back(absl::StripSuffix(dir, "/"));
      }
    }
    absl::StatusOr<std::string> files = FilesNamedByOptions(*listing);
    if (!files.ok()) return files.status();
    facts.wrapped = absl::StrCat(WithoutTemporaryNames(*listing, temp_dirs),
                                 absl::StrJoin(*programs, "\n"), "\n", *files);
    if (*ran == Family::kGcc) {
      if (absl::Status checked = CheckWrappedOptions(*listing, request, facts); !checked.ok()) {
        return checked;
      }
      // gcc's cc1 reads CPATH, LC_ALL, SOURCE_DATE_EPOCH and their kin itself, so what a
      // wrapper sets does not show in the listing; the search list and environment cc1 gets do.
      absl::StatusOr<std::string> seen = WrappedSearchAndEnvironment(compiler, request);
      if (!seen.ok()) return seen.status();
      absl::StrAppend(&facts.wrapped, "\n", *seen);
    }
  }
  facts.programs = *std::move(programs);
  return facts;
}

}  // namespace ddcc
