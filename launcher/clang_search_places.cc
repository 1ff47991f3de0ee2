#include "launcher/clang_search_places.h"

#include <sys/stat.h>

#include <algorithm>
#include <climits>
#include <cstdlib>
#include <optional>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "cache/util/files.h"
#include "cache/util/hash.h"

namespace ddcc {
namespace {

// A prefix the driver searches from, with the name the key knows it by, and what it looks for
// there.
struct Root {
  std::string label;
  std::string dir;
  bool gcc;      // GCC installations, in <lib>/gcc/<triple>/<version>
  bool headers;  // include/c++ (libstdc++, libc++), multiarch directories
};

std::string Under(absl::string_view dir, absl::string_view rel) {
  return absl::StrCat(absl::StripSuffix(dir, "/"), "/", rel);
}

// The value of the last `<joined>V` or `<separate> V` among `args`.
std::optional<std::string> LastValue(const std::vector<std::string>& args, absl::string_view joined,
                                     absl::string_view separate) {
  std::optional<std::string> value;
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == separate && i + 1 < args.size()) {
      value = args[++i];
    } else if (absl::StartsWith(args[i], joined)) {
      value = args[i].substr(joined.size());
    }
  }
  return value;
}

// The architectures `args` switch clang to (-m32, --target=...), which make it look first for
// config files named after them: x86_64-linux-gnu-clang -m32 reads i386-linux-gnu-clang.cfg,
// else i386.cfg, where there is one. nullopt where an option switches it in a way not worked
// out here (endianness, a MIPS ABI, RISC-V's width).
std::optional<std::vector<std::string>> SwitchedArchitectures(
    const std::vector<std::string>& args) {
  std::vector<std::string> archs;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "-m32" || arg == "-m16") archs.push_back("i386");
    if (arg == "-m64" || arg == "-mx32") archs.push_back("x86_64");
    std::string triple;
    if (absl::StartsWith(arg, "--target=")) triple = arg.substr(9);
    if ((arg == "-target" || arg == "--target") && i + 1 < args.size()) triple = args[++i];
    if (!triple.empty()) archs.push_back(triple.substr(0, triple.find('-')));
    if (arg == "-EB" || arg == "-EL" || arg == "-mbig-endian" || arg == "-mlittle-endian" ||
        arg == "-mabi=32" || arg == "-mabi=o32" || arg == "-mabi=n32" || arg == "-mabi=64" ||
        arg == "-mabi=n64" || absl::StartsWith(arg, "-march=rv")) {
      return std::nullopt;
    }
  }
  return archs;
}

// The config files clang called by a prefixed name may read: <prefix>-<mode>.cfg, then
// <prefix>.cfg, each first under the name of an architecture `args` switch to, beside the binary
// as invoked and as resolved.
std::vector<std::string> ConfigFileCandidates(const Compiler& compiler,
                                              const std::vector<std::string>& args) {
  std::vector<absl::string_view> parts = absl::StrSplit(compiler.name, '-');
  while (parts.size() > 1 && !parts.back().empty() &&
         absl::ascii_isdigit(static_cast<unsigned char>(parts.back()[0]))) {
    parts.pop_back();  // a version: x86_64-linux-gnu-clang-14
  }
  if (parts.size() < 2) return std::vector<std::string>();
  const std::string mode(parts.back());
  parts.pop_back();
  const std::string prefix = absl::StrJoin(parts, "-");
  const std::string full = absl::StrCat(prefix, "-", mode, ".cfg");
  std::vector<std::string> names;
  const std::optional<std::vector<std::string>> archs = SwitchedArchitectures(args);
  for (const std::string& arch : archs.value_or(std::vector<std::string>())) {
    names.push_back(arch + full.substr(full.find('-')));
    names.push_back(arch + ".cfg");
  }
  names.insert(names.end(), {full, prefix + ".cfg"});
  std::vector<std::string> dirs = {DirectoryOf(compiler.path)};
  char resolved[PATH_MAX];
  if (realpath(compiler.path.c_str(), resolved) != nullptr) dirs.push_back(DirectoryOf(resolved));
  std::vector<std::string> paths;
  for (const std::string& dir : dirs) {
    // An architecture not worked out: every config file there.
    std::vector<std::string> listed;
    if (!archs) listed = ListDirectory(dir).value_or(std::vector<std::string>());
    for (const std::string& name : listed) {
      if (absl::EndsWith(name, ".cfg")) paths.push_back(Under(dir, name));
    }
    for (const std::string& name : names) paths.push_back(Under(dir, name));
  }
  std::sort(paths.begin(), paths.end());
  paths.erase(std::unique(paths.begin(), paths.end()), paths.end());
  return paths;
}

// The words of the config files clang reads (ClangConfigFiles), which may set --sysroot or
// --gcc-toolchain, before the command line's: clang takes the last.
std::vector<std::string> ArgsWithConfig(const Compiler& compiler, const CompileRequest& request) {
  std::vector<std::string> args;
  std::vector<std::string> paths = ConfigFileCandidates(compiler, request.expanded_args);
  for (size_t i = 0; i < paths.size(); ++i) {
    const std::string path = paths[i];
    absl::StatusOr<std::string> text = ReadFile(path);
    if (!text.ok()) continue;
    for (absl::string_view word :
         absl::StrSplit(*text, absl::ByAnyChar(" \t\r\n"), absl::SkipEmpty())) {
      args.emplace_back(word);
    }
  }
  args.insert(args.end(), request.hashed_args.begin(), request.hashed_args.end());
  return args;
}

// Where clang looks: for GCC installations, in a sysroot given, in the sysroot's usr (/usr
// without one), in --gcc-toolchain's directory and in the directory above the driver as
// invoked; for headers, in each (the headers of a GCC are found from its installation's prefix,
// a bare-metal target's in the sysroot), and above the driver with links resolved (libc++ and
// the resource directory beside clang). Looking at more places than clang does costs a few
// stats, and at worst a miss.
std::vector<Root> Roots(const Compiler& compiler, const CompileRequest& request) {
  const std::vector<std::string> args = ArgsWithConfig(compiler, request);
  std::vector<Root> roots;
  std::optional<std::string> sysroot = LastValue(args, "--sysroot=", "--sysroot");
  const bool given = sysroot && !sysroot->empty();
  const std::string base = given ? *sysroot : "/";
  roots.push_back({"sysroot", base, given, given});
  roots.push_back({"sysroot/usr", Under(base, "usr"), true, true});
  if (std::optional<std::string> toolchain =
          LastValue(args, "--gcc-toolchain=", "-gcc-toolchain")) {
    roots.push_back({"gcc toolchain", *toolchain, true, true});
  }
  roots.push_back({"installation", Under(DirectoryOf(compiler.path), ".."), true, true});
  char resolved[PATH_MAX];
  if (realpath(compiler.path.c_str(), resolved) != nullptr) {
    roots.push_back({"installation, resolved", Under(DirectoryOf(resolved), ".."), false, true});
  }
  return roots;
}

// Names in a listing that may be target triples (x86_64-linux-gnu, x86_64-pc-linux-gnu,
// arm-none-eabi): with a '-' and without a '.' (gtk-3.0 is no triple).
std::vector<std::string> TripleLike(const std::vector<std::string>& names) {
  std::vector<std::string> triples;
  for (const std::string& name : names) {
    if (absl::StrContains(name, '-') && !absl::StrContains(name, '.')) triples.push_back(name);
  }
  return triples;
}

class PlaceRecorder {
 public:
  explicit PlaceRecorder(std::vector<std::string>& places) : places_(places) {}

  // Records the names in `root`'s `rel` and returns them, sorted (none when it is no directory).
  // With `triples_only`, only the names TripleLike keeps: a directory of headers gains others.
  std::vector<std::string> List(const Root& root, const std::string& rel,
                                bool triples_only = false) {
    absl::StatusOr<std::vector<std::string>> names = ListDirectory(Under(root.dir, rel));
    if (!names.ok()) {
      Record(root, rel, absl::IsNotFound(names.status()) ? "absent" : "no directory to list");
      return {};
    }
    if (triples_only) *names = TripleLike(*names);
    std::sort(names->begin(), names->end());
    Record(root, rel,
           absl::StrCat(triples_only ? "holds triples " : "holds ", absl::StrJoin(*names, " ")));
    return *std::move(names);
  }

  // Records whether `root`'s `rel` is a directory, and returns it.
  bool Directory(const Root& root, const std::string& rel) {
    const bool directory = IsDirectory(Under(root.dir, rel));
    Record(root, rel, directory ? "a directory" : "no directory");
    return directory;
  }

  // Records which of the crtbegin.o files clang tries (one for each multilib) a GCC version
  // directory holds: a version without one is not taken.
  void StartFiles(const Root& root, const std::string& version_dir) {
    std::string held;
    for (const char* multilib : {"", "32/", "64/", "x32/"}) {
      const std::string rel = absl::StrCat(version_dir, "/", multilib, "crtbegin.o");
      if (!NothingAt(Under(root.dir, rel))) absl::StrAppend(&held, " ", multilib, "crtbegin.o");
    }
    Record(root, version_dir, absl::StrCat("start files:", held));
  }

 private:
  void Record(const Root& root, const std::string& rel, absl::string_view state) {
    places_.push_back(absl::StrCat(root.label, "/", rel, ": ", state));
  }

  std::vector<std::string>& places_;
};

}  // namespace

std::vector<std::string> ClangSearchPlaces(const Compiler& compiler,
                                           const CompileRequest& request) {
  std::vector<std::string> places;
  PlaceRecorder recorder(places);
  std::vector<Root> roots = Roots(compiler, request);
  std::vector<std::pair<dev_t, ino_t>> seen;
  std::vector<const Root*> present;
  for (const Root& root : roots) {
    struct stat st;
    if (stat(root.dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
      places.push_back(absl::StrCat(root.label, ": no directory"));
      continue;
    }
    // The same directory reached twice (/usr, and /usr/bin/..) is looked at once.
    const std::pair<dev_t, ino_t> id = {st.st_dev, st.st_ino};
    if (std::find(seen.begin(), seen.end(), id) != seen.end()) {
      places.push_back(absl::StrCat(root.label, ": seen"));
      continue;
    }
    seen.push_back(id);
    present.push_back(&root);
    if (root.label == "sysroot") {  // Gentoo's and Red Hat's records of the GCC in use
      recorder.List(root, "etc/env.d/gcc");
      recorder.List(root, "opt/rh");
    }
    if (!root.gcc) continue;
    for (const char* lib : {"lib", "lib32", "lib64", "libx32"}) {
      if (!recorder.Directory(root, lib)) continue;
      for (const char* gcc : {"/gcc", "/gcc-cross"}) {
        const std::string gcc_dir = absl::StrCat(lib, gcc);
        for (const std::string& triple : recorder.List(root, gcc_dir)) {
          const std::string triple_dir = absl::StrCat(gcc_dir, "/", triple);
          for (const std::string& version : recorder.List(root, triple_dir)) {
            recorder.StartFiles(root, absl::StrCat(triple_dir, "/", version));
          }
        }
      }
    }
  }
  for (const Root* root : present) {
    if (!root->headers) continue;
    for (const char* include : {"include", "local/include"}) {
      if (!recorder.Directory(*root, include)) continue;
      recorder.List(*root, absl::StrCat(include, "/c++"));
      // Multiarch directories, and libc++'s per-target one, under any triple's spelling.
      for (const std::string& triple : recorder.List(*root, include, /*triples_only=*/true)) {
        recorder.List(*root, absl::StrCat(include, "/", triple, "/c++"));
      }
    }
    for (const std::string& triple : recorder.List(*root, "", /*triples_only=*/true)) {
      recorder.List(*root, triple + "/include/c++");
    }
    // clang's own headers, where its resource directory exists (else it takes another).
    for (const std::string& version : recorder.List(*root, "lib/clang")) {
      recorder.Directory(*root, absl::StrCat("lib/clang/", version, "/include"));
    }
  }
  return places;
}

std::optional<std::string> ConfigOptionNotKnown(const Compiler& compiler,
                                                const CompileRequest& request) {
  // Options whose value may be the next word.
  constexpr absl::string_view kSeparate[] = {"--sysroot", "-isysroot", "-gcc-toolchain",
                                             "-I",        "-isystem",  "-idirafter",
                                             "-iquote",   "-D",        "-U",
                                             "-L",        "-l",        "-B"};
  constexpr absl::string_view kKnown[] = {"--target=",
                                          "--sysroot=",
                                          "--gcc-toolchain=",
                                          "-O",
                                          "-W",
                                          "-m",
                                          "-std=",
                                          "-stdlib=",
                                          "-rtlib=",
                                          "--rtlib=",
                                          "-unwindlib=",
                                          "--unwindlib=",
                                          "-fuse-ld=",
                                          "-fPIC",
                                          "-fpic",
                                          "-fPIE",
                                          "-fpie",
                                          "-fno-pic",
                                          "-fno-pie",
                                          "-fno-PIC",
                                          "-fno-PIE",
                                          "-pthread",
                                          "-nostdinc",
                                          "-nostdlib",
                                          "-static",
                                          "-no-pie",
                                          "-pie",
                                          "--start-no-unused-arguments",
                                          "--end-no-unused-arguments"};
  // Of the -f options (code generation, mostly), those that name files or the working directory,
  // write files, or change the messages: by their name after -f or -fno-.
  constexpr absl::string_view kNamingFlags[] = {
      "profile", "cs-profile", "coverage", "test-coverage", "time-trace", "debug", "module",
      "implicit-module", "prebuilt-module", "cxx-modules", "crash", "save-optimization-record",
      "embed-bitcode", "record", "plugin", "pass-plugin", "sanitize", "xray", "diagnostics",
      "color-diagnostics", "ansi-escape-codes", "message-length", "stack-usage", "proc-stat-report",
      "basic-block-sections", "macro-prefix-map", "file-prefix-map", "split-dwarf",
      "unique-internal-linkage-names", "pseudo-probe-for-profiling", "emit", "split-stack",
      "integrated-as", "openmp",
      // how the preprocessor searches or what it keeps
      "ms-", "delayed-template-parsing", "rewrite-", "time-report", "mem-report"};
  auto known_flag = [&](absl::string_view word) {
    if (!absl::ConsumePrefix(&word, "-f")) return false;
    absl::ConsumePrefix(&word, "no-");
    return std::none_of(std::begin(kNamingFlags), std::end(kNamingFlags),
                        [word](absl::string_view name) { return absl::StartsWith(word, name); });
  };
  std::vector<std::string> paths = ConfigFileCandidates(compiler, request.expanded_args);
  for (size_t i = 0; i < paths.size(); ++i) {
    const std::string path = paths[i];
    absl::StatusOr<std::string> text = ReadFile(path);
    if (!text.ok()) continue;
    bool value_next = false;
    for (absl::string_view line : absl::StrSplit(*text, '\n')) {
      if (absl::StartsWith(absl::StripLeadingAsciiWhitespace(line), "#")) continue;  // a comment
      for (absl::string_view word :
           absl::StrSplit(line, absl::ByAnyChar(" \t\r"), absl::SkipEmpty())) {
        if (std::exchange(value_next, false)) continue;
        if (absl::ConsumePrefix(&word, "@")) {  // another file's words, as ClangConfigFiles
          if (paths.size() >= 64) return "@ (config files nest deep)";
          paths.push_back(absl::StartsWith(word, "/") ? std::string(word)
                                                      : Under(DirectoryOf(path), word));
          continue;
        }
        if (std::find(std::begin(kSeparate), std::end(kSeparate), word) != std::end(kSeparate)) {
          value_next = true;
          continue;
        }
        // The options of kSeparate with their values joined, too (-isystem/x).
        const bool known =
            std::any_of(
                std::begin(kSeparate), std::end(kSeparate),
                [word](absl::string_view option) { return absl::StartsWith(word, option); }) ||
            std::any_of(
                std::begin(kKnown), std::end(kKnown),
                [word](absl::string_view option) { return absl::StartsWith(word, option); }) ||
            known_flag(word);
        // -Wa, -Wl, and -Wp, pass options on to other tools; `native` means this machine's CPU
        // (keyed from the command line only); a Windows target searches as Microsoft's does.
        if (!known || absl::StartsWith(word, "-Wa,") || absl::StartsWith(word, "-Wp,") ||
            absl::StrContains(word, "native") ||
            (absl::StartsWith(word, "--target=") &&
             (absl::StrContains(word, "windows") || absl::StrContains(word, "msvc") ||
              absl::StrContains(word, "win32")))) {
          return absl::StrCat(word, " (", path, ")");
        }
      }
    }
  }
  return std::nullopt;
}

absl::StatusOr<std::vector<std::string>> ClangConfigFiles(const Compiler& compiler,
                                                          const CompileRequest& request) {
  std::vector<std::string> files;
  std::vector<std::string> paths = ConfigFileCandidates(compiler, request.expanded_args);
  // A config file's `@file` words name more (relative to its directory), read as it is.
  for (size_t i = 0; i < paths.size(); ++i) {
    const std::string& path = paths[i];
    absl::StatusOr<std::string> content = ReadFile(path);
    if (absl::IsNotFound(content.status())) {
      files.push_back(absl::StrCat(path, " absent"));
      continue;
    }
    if (!content.ok()) return content.status();
    Hasher hasher;
    hasher.Update(*content);
    files.push_back(absl::StrCat(path, " ", hasher.Finish().Hex()));
    for (absl::string_view word :
         absl::StrSplit(*content, absl::ByAnyChar(" \t\r\n"), absl::SkipEmpty())) {
      if (!absl::ConsumePrefix(&word, "@")) continue;
      if (paths.size() >= 64) return absl::FailedPreconditionError("clang config files nest deep");
      paths.push_back(absl::StartsWith(word, "/") ? std::string(word)
                                                  : Under(DirectoryOf(path), word));
    }
  }
  return files;
}

}  // namespace ddcc
