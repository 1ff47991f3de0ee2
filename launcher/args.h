// The argument model for gcc and clang: which arguments make a call a cacheable compile, which
// affect only preprocessing, which affect compilation, and which name outputs.
#pragma once

#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "launcher/outcome.h"

namespace ddcc {

// The variables whose directories the preprocessor searches after those of the arguments.
inline constexpr const char* kSearchPathVariables[] = {
    "CPATH", "C_INCLUDE_PATH", "CPLUS_INCLUDE_PATH", "OBJC_INCLUDE_PATH", "OBJCPLUS_INCLUDE_PATH"};

enum class Family { kGcc, kClang };

// An argument naming an output path: its first prefix_size characters ("-o", "-Wp,-MD,", or none
// when the path is an argument of its own) and then the path.
struct PathArg {
  size_t index = 0;
  size_t prefix_size = 0;
};

struct CompileRequest {
  // "c", "c++", "assembler-with-cpp", "assembler", "cpp-output" or "c++-cpp-output": hashed,
  // and what the compiler calls it.
  std::string language;
  std::string source;  // as given on the command line
  std::string object;  // the -o value, else the source's basename with its suffix replaced by .o

  // The arguments for `<compiler> -E <preprocess_args>` (ddcc adds "-E"): the call's arguments,
  // response files expanded, less -c, -o and its value, and every dependency-file option; the
  // source stays where it was, so -x applies as the user wrote it.
  std::vector<std::string> preprocess_args;
  size_t source_index = 0;  // where the source is in preprocess_args

  // Arguments that may affect the object but are not covered by the preprocessed text: every
  // argument except the source, -o and its value, dependency-file options (see below) and
  // options that only affect preprocessing (-I, -D, -U, -include, -isystem, -iquote, ...).
  std::vector<std::string> hashed_args;

  // Files named by options whose content affects the object (-fsanitize-ignorelist=, ...).
  std::vector<std::string> extra_input_files;
  // -include and -imacros files, as named.
  std::vector<std::string> forced_includes;
  // The directories of -I, -iquote, -isystem and -idirafter, as given: gcc passes over one
  // that is a file, and `-E -v` then names it nowhere.
  std::vector<std::string> search_dirs;

  // Dependency file (-MD, -MMD, -Wp,-MD,file ...). dep_options holds the options that shape its
  // content (-MD or -MMD, -MP, -MG ...), in order, but no file names or targets.
  bool generates_deps = false;
  std::string dep_file;                  // -MF value, else object with its suffix replaced by .d
  std::vector<std::string> dep_targets;  // as the compiler writes them: -MT verbatim, -MQ and
                                         // the default (the object) Make-quoted
  std::vector<std::string> dep_options;

  // The call's arguments with response files expanded, and which of them name the object and the
  // dependency file (the last -o, -MF or -Wp,-MD,file; none when not given), so that a miss can
  // have the compiler write to paths of ddcc's choosing.
  std::vector<std::string> expanded_args;
  std::optional<PathArg> object_arg;
  std::optional<PathArg> dep_file_arg;
  bool explicit_dep_targets = false;  // -MT or -MQ given

  // Files the compile may write beside the object, named after it: suffix (".dwo", ".gcno",
  // ".su") and path.
  std::vector<std::pair<std::string, std::string>> aux_outputs;
  // The compiler reads a file named after the object (gcc's -fprofile-use reads <object>.gcda),
  // so the object cannot be written under another name.
  bool reads_beside_object = false;
  // The object names its own path: the .gcda file it will write, its .dwo. The key holds it.
  bool object_names_itself = false;

  bool debug_info = false;  // -g and friends (not -g0): the object names the working directory
  // clang's -g3, -ggdb3, -fdebug-macro: the object holds every macro definition, which the
  // preprocessed text shows with -dD (gcc's -E shows them for -g3 itself).
  bool debug_macros = false;
  // The object depends on the names of the source and headers as the line markers give them,
  // absolute paths below a base directory too: -fsanitize= names them (each check's place,
  // ASan's globals); options matching patterns against them choose what is instrumented.
  bool names_files = false;
  bool explicit_color =
      false;  // the user chose -f(no-)diagnostics-color / -f(no-)color-diagnostics
};

using ParsedArgs = std::variant<CompileRequest, NotCacheable>;

// A file of -include or -imacros that the compiler would read otherwise than `-E` shows, where
// it looks for it (the working directory, then `search_dirs`, the environment's with them, as
// ParseCFamilyCall completes them): with a precompiled form (.gch, .pch), which it reads
// instead, or no regular file (`<(...)`, a FIFO), whose content the first to read it, ddcc's
// preprocessing, takes.
std::optional<NotCacheable> ForcedIncludeNotCacheable(const CompileRequest& request);

// `args` are the compiler's arguments without argv[0]. Response files (@file) are expanded
// relative to the working directory; an unreadable one is NotCacheable{kBadResponseFile}.
// `cxx_driver`: the driver was called as a C++ one (g++, clang++), which compiles .c as C++.
ParsedArgs ParseArgs(Family family, const std::vector<std::string>& args, bool cxx_driver = false);

}  // namespace ddcc
