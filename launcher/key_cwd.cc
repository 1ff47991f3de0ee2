// When the keys hold the working directory: what in the object may name it (debug information,
// its own path, offloading sections, positions clang writes), and what lets a key leave it out
// (a prefix map of it, a debug directory a hit can rename, paths named as written).
#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "launcher/debug_dir.h"
#include "launcher/keys.h"
#include "launcher/options.h"

namespace ddcc {
namespace {

// clang names a lambda or an unnamed class in __PRETTY_FUNCTION__ by where it is written, the
// line marker's path and all: "(lambda at /abs/h.h:2:45)" (type-name libraries: nameof,
// magic_enum, entt); __builtin_dump_struct's format strings name an unnamed member's type so.
bool NamesPlacesOfTypes(absl::string_view text) {
  return absl::StrContains(text, "__PRETTY_FUNCTION__") || absl::StrContains(text, "__FUNCSIG__") ||
         absl::StrContains(text, "__builtin_dump_struct");
}

}  // namespace

// The object names the working directory (debug info) or its own path (.gcda, .dwo), unless
// the user's prefix map gives the directory a fixed name, or a hit elsewhere may rename it in
// the object (MovesDebugDirectory), and every path the debug info may name from the arguments
// is named alike in every directory. (Where the compiler knows the directory by another name
// than getcwd()'s, the relative forms would not line up with what the map covers: the key
// holds both.) A .su file names the source and headers as the arguments spell them, so
// absolute paths below a base directory tie it to the tree as well.
// (A dependency file does too, but the entry holds it in a form any tree can restore, or is
// kept apart for this tree: see launcher/depfile.h and TryServe.)
bool KeyMaker::DirectKeyHoldsCwd() const { return !WhyDirectKeyHoldsCwd().empty(); }

std::string KeyMaker::WhyDirectKeyHoldsCwd() const {
  if (std::string why = WhyOptionsNameCwd(); !why.empty()) return why;
  if (request_.object_names_itself && !NamesItselfOnlyRelatively()) {
    return "the object names its own path (a coverage or split debug information file)";
  }
  // clang writes a dependency file's backslashes as slashes: laid out again for a directory
  // whose path holds one, it would read otherwise.
  if (request_.generates_deps && absl::StrContains(paths_.cwd(), '\\')) {
    return "the dependency file names it, and its path holds a backslash";
  }
  bool names_files = false;
  for (const auto& [suffix, path] : request_.aux_outputs) names_files |= suffix == ".su";
  for (const std::string& arg : request_.preprocess_args) {
    if (names_files && paths_.BelowBase(paths_.FileIn(arg))) {
      return absl::StrCat("the stack usage file (-fstack-usage) names ", arg,
                          " by its absolute path below the base directory");
    }
  }
  if (!request_.debug_info) return "";
  if (paths_.compiler_cwd() != paths_.cwd()) {
    return absl::StrCat("debug information (-g) names it, and the compiler knows it as ",
                        paths_.compiler_cwd(), " (PWD), not as getcwd() does");
  }
  if (!CwdMapped() && !MayMoveDebugDirectory()) {
    return "debug information (-g) names it: -ffile-prefix-map=DIR=. (or -fdebug-prefix-map) "
           "for this directory leaves it out";
  }
  for (const std::string& arg : request_.preprocess_args) {
    absl::string_view path = paths_.FileIn(arg);
    if (!path.empty() && !paths_.SameInMappedDebugInfo(path) &&
        !(CwdMapped() && paths_.NamedAsWrittenInDebugInfo(path))) {
      return absl::StrCat("debug information (-g) names ", path,
                          ", which a prefix map or the base directory does not make the same "
                          "in every directory");
    }
  }
  return "";
}

std::vector<std::string> KeyMaker::DebugPathsAsWritten() const {
  std::vector<std::string> written;
  if (!request_.debug_info || !CwdMapped()) return written;
  for (const std::string& arg : request_.preprocess_args) {
    absl::string_view path = paths_.FileIn(arg);
    if (!path.empty() && !paths_.SameInMappedDebugInfo(path) &&
        paths_.NamedAsWrittenInDebugInfo(path)) {
      written.emplace_back(path);
    }
  }
  return written;
}

bool KeyMaker::DebugNamesOnlyAsWritten(const MarkedText& marked) const {
  const std::vector<std::string> written = DebugPathsAsWritten();
  return std::all_of(marked.unmapped_in_debug.begin(), marked.unmapped_in_debug.end(),
                     [&](const std::string& name) {
                       return paths_.NamedAsWrittenInDebugInfo(name) &&
                              std::any_of(
                                  written.begin(), written.end(), [&name](absl::string_view path) {
                                    // A file's directory, or a directory's parent: a prefix of what
                                    // the key holds.
                                    const size_t slash = path.rfind('/');
                                    return slash != 0 && slash != absl::string_view::npos &&
                                           absl::StartsWith(name, path.substr(0, slash + 1));
                                  });
                     });
}

std::string KeyMaker::WhyOptionsNameCwd() const {
  if (compiler_.family) {
    std::string why = OptionsNameCwd(*compiler_.family, request_.expanded_args, request_.source);
    if (!why.empty()) return why;
  }
  // Elsewhere the result key holds it where the text may offload; depend mode has no text.
  if (GccMayOffload() && config_.depend_mode) {
    return "gcc's offloading sections (-fopenmp, -fopenacc) may name it, and depend mode has "
           "no text to show whether they are written";
  }
  if (const DriverFacts* wrapper = Wrapper(); wrapper && !wrapper->wrapper_names_cwd.empty()) {
    return wrapper->wrapper_names_cwd;
  }
  return "";
}

const DriverFacts* KeyMaker::Wrapper() const {
  if (!compiler_.probed) return nullptr;
  const absl::StatusOr<DriverFacts>& driver = Driver();
  return driver.ok() ? &*driver : nullptr;
}

bool KeyMaker::NamesFiles() const {
  const DriverFacts* wrapper = Wrapper();
  return request_.names_files || (wrapper && wrapper->wrapper_names_files);
}

// clang writes line markers' paths where the result key holds them relative: lambdas' and
// unnamed structs' names (NamesPlacesOfTypes; in C too, of a parameter's type) and OpenMP's
// location strings (";/abs/m.c;main;3;1;;"). ResultEntry::ObjectNamesTree finds them in an
// object as written; not in assembly, which escapes some bytes, nor in bitcode, which packs
// them, nor where the code hashes __PRETTY_FUNCTION__ and the compiler folds it (entt's
// type_hash, a logging macro's id, sizeof).
bool KeyMaker::ClangNamesPathsUnseen(absl::string_view text) const {
  if (compiler_.family != Family::kClang) return false;
  if (NamesPlacesOfTypes(text)) return true;
  bool unscanned = false, lto = false, openmp = false;
  for (const std::string& arg : request_.expanded_args) {
    unscanned |= arg == "-S" || arg == "-emit-llvm";
    if (arg == "-flto" || absl::StartsWith(arg, "-flto=")) lto = true;
    if (arg == "-fno-lto") lto = false;
    openmp |= absl::StartsWith(arg, "-fopenmp") && !absl::StartsWith(arg, "-fopenmp-simd");
  }
  return (unscanned || lto) && openmp;
}

// -gsplit-dwarf names the .dwo as the command line spells the object, which the key holds: a
// relative name, the directory mapped, names no directory. (The .gcda path of coverage is made
// absolute.)
bool KeyMaker::NamesItselfOnlyRelatively() const {
  if (absl::StartsWith(request_.object, "/") || !CwdMapped()) return false;
  return std::none_of(
      request_.expanded_args.begin(), request_.expanded_args.end(), [](const std::string& arg) {
        return arg == "--coverage" || arg == "-fprofile-arcs" || arg == "-ftest-coverage";
      });
}

bool KeyMaker::GccMayOffload() const {
  if (compiler_.family != Family::kGcc) return false;
  if (const DriverFacts* wrapper = Wrapper(); wrapper && wrapper->wrapper_offloads) return true;
  for (const std::string& arg : request_.expanded_args) {
    if (arg == "-fopenmp" || arg == "-fopenacc") return true;
  }
  return false;
}

bool KeyMaker::MayMoveDebugDirectory() const {
  return compiler_.family &&
         ddcc::MayMoveDebugDirectory(*compiler_.family, compiler_.path, request_.expanded_args,
                                     paths_.cwd(), env_);
}

bool KeyMaker::MovesDebugDirectory() const {
  return request_.debug_info && !DirectKeyHoldsCwd() && !CwdMapped();
}

std::optional<std::vector<std::string>> KeyMaker::MacroMappedCwd() const {
  std::optional<std::vector<std::string>> rests =
      MappedRests(request_.hashed_args, paths_.cwd(), /*macro_maps=*/true);
  std::optional<std::vector<std::string>> compiler_rests =
      MappedRests(request_.hashed_args, paths_.compiler_cwd(), /*macro_maps=*/true);
  if (!rests || !compiler_rests) return std::nullopt;
  rests->insert(rests->end(), compiler_rests->begin(), compiler_rests->end());
  return rests;
}

bool KeyMaker::CwdMapped() const {
  // clang's integrated assembler (clang 14) writes the directory into its line table as it is,
  // prefix maps or not (with -fno-integrated-as too, taken alike).
  if (compiler_.family == Family::kClang && absl::StartsWith(request_.language, "assembler")) {
    return false;
  }
  std::optional<std::vector<std::string>> rests = MappedRests(request_.hashed_args, paths_.cwd());
  return rests && !rests->empty();
}

}  // namespace ddcc
