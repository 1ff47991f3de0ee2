// The two keys of a compile. The result key covers the preprocessed text; the direct key covers
// instead what produces that text (the source, the preprocessing arguments and environment),
// and leads through a manifest to result keys. Both share everything else that shapes the
// result: compiler, language, compile arguments, and what shapes the outputs and diagnostics.
#pragma once

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "cache/store/manifest.h"
#include "cache/util/hash.h"
#include "launcher/args.h"
#include "launcher/compiler.h"
#include "launcher/config.h"
#include "launcher/driver_probe.h"
#include "launcher/paths.h"
#include "launcher/process.h"

namespace ddcc {

// The labels of the key inputs that --explain (launcher/explain.cc) tells apart by name.
namespace key_label {
inline constexpr absl::string_view kArgument = "argument";
inline constexpr absl::string_view kPreprocessorArgument = "preprocessor argument";
inline constexpr absl::string_view kSource = "source";
inline constexpr absl::string_view kWorkingDirectory = "working directory";
// A note, not hashed: why the key holds the working directory.
inline constexpr absl::string_view kWhyCwd = "working directory in the key because";
inline constexpr absl::string_view kPreprocessedText = "preprocessed text";
inline constexpr absl::string_view kFileRead = "file read";  // "path digest", one per file
inline constexpr absl::string_view kEnvPrefix = "env ";      // then the variable's name
}  // namespace key_label

class KeyInputs;

struct ResultKeyInfo {
  Digest key;
  bool holds_cwd = false;  // the key holds the working directory
  // The result depends on the directory in a way the direct key does not show (the text names
  // a base directory through __FILE__, or only the result key holds the working directory): a
  // manifest leading to it must be found only from this directory.
  bool tied = false;
  // The preprocessed text names the working directory (a line marker, a string), as it was
  // before line markers were rewritten, or a file read shares a part of its name
  // (SharesPartOfDirectory), or the text writes strings of its own into debug information
  // (WritesOwnDebugStrings): either way an object made here cannot move to another directory.
  bool names_cwd = false;
  // A file read names paths below a base directory, which the key holds in their key form:
  // its messages may name this tree's (in part, too), so only a result without any is shared.
  bool content_names_base_dir = false;
  // The key holds the text's line markers as the compiler spelled them, not relative: the
  // object names those files (__builtin_FILE, clang's lambda names, the sanitizers' data).
  bool markers_as_written = false;
};

class KeyMaker {
 public:
  // `color`: diagnostics are asked for in colour (ddcc does so on a terminal). `env`: the
  // compile's environment, some of which the compiler reads.
  KeyMaker(const Compiler& compiler, const CompileRequest& request, const Config& config,
           const PathRewriter& paths, bool color, const EnvLookup& env)
      : compiler_(compiler),
        request_(request),
        config_(config),
        paths_(paths),
        color_(color),
        env_(env) {}

  // With a transcript, each input is also written to it as a "name: value" line.
  absl::StatusOr<Digest> DirectKey(std::string* transcript = nullptr) const;
  // `files_read`: the source and headers the text shows, whose bytes the key holds too: what the
  // text drops of them (comments, columns, macro origins) still reaches the compiler's output.
  // `listed_only`: files the preprocessor's listing names that the text does not show (a header
  // clang skips by its guard, entered before under another name; what a __has_include found):
  // their names reach the dependency file and debug info.
  absl::StatusOr<ResultKeyInfo> ResultKey(const ProcessResult& preprocessed,
                                          const std::vector<std::string>& files_read,
                                          const std::vector<std::string>& listed_only,
                                          std::string* transcript = nullptr) const;
  // Depend mode's result key, which has no preprocessed text to hash: the direct key (or the
  // manifest key made from it) and every file of the include set with its content. A direct hit
  // trusts these to decide the text; here they decide the result the same way.
  static Digest DependResultKey(const Digest& manifest_key, const IncludeSet& set,
                                std::string* transcript = nullptr);

  // Whether the direct key holds the working directory.
  bool DirectKeyHoldsCwd() const;
  // Why it does, in a line for --explain; empty when it does not.
  std::string WhyDirectKeyHoldsCwd() const;
  // Whether the object names the working directory and the keys hold only its length: a hit
  // elsewhere renames it in the object (launcher/debug_dir.h).
  bool MovesDebugDirectory() const;
  // A debug prefix map maps the working directory (MappedRests).
  bool CwdMapped() const;
  // The rests of the working directory (getcwd()'s, then the compiler's name) after each macro
  // prefix map's OLD that is a prefix of it; nullopt where one ends inside a name.
  std::optional<std::vector<std::string>> MacroMappedCwd() const;
  // The object names itself only by its relative name (-gsplit-dwarf's .dwo, -o relative),
  // the directory mapped.
  bool NamesItselfOnlyRelatively() const;
  // gcc with -fopenmp or -fopenacc (the call's or a wrapper's), whose target regions write
  // offloading sections.
  bool GccMayOffload() const;
  // The driver's facts where the compiler is known by asking it (a wrapper), else nullptr.
  const DriverFacts* Wrapper() const;
  // The object names files as the line markers do (CompileRequest::names_files; or the options
  // a wrapper adds).
  bool NamesFiles() const;
  // Whether clang may write a path of `text`'s line markers into an output nothing scans.
  bool ClangNamesPathsUnseen(absl::string_view text) const;
  // `key` made specific to the working directory.
  Digest WithCwd(const Digest& key) const;
  // Where the compiler's header search path for this compile is memoised: what `-E -v` depends
  // on, which is the direct key's inputs less the source and compile-only settings.
  absl::StatusOr<Digest> SearchPathKey() const;

  // Whether the compiler is still the one the keys were made with: one reinstalled during the
  // compile (a package upgrade) wrote an object that its keys do not describe.
  bool CompilerUnchanged() const;
  // The same for what the driver runs (DriverFacts): a wrapper's flags file edited, or an
  // assembler replaced, between the keys and the compile.
  bool DriverUnchanged() const;

  // Whether gcc reads a specs file of its own from a -B prefix, LIBRARY_PATH, LPATH or
  // GCC_EXEC_PREFIX (GccSpecsFiles), which may add any option, as -specs= does.
  bool ReadsSpecsFile() const;

  // Whether the driver could be asked what the keys need of it (ProbeDriver).
  absl::Status DriverStatus() const { return Driver().status(); }

 private:
  // `why_cwd`: why the key holds the working directory, or empty when it does not.
  absl::Status AddCommon(KeyInputs& inputs, absl::string_view why_cwd) const;
  // With the working directory mapped, the paths of the arguments that debug information names
  // as written (PathRewriter::NamedAsWrittenInDebugInfo): the keys hold them so, in place of
  // the working directory.
  std::vector<std::string> DebugPathsAsWritten() const;
  // Whether each of the markers' paths that debug information names unmapped is named as written
  // and lies below the directory of one of DebugPathsAsWritten(): a string the key holds as
  // written, so that equal keys spell the markers alike.
  bool DebugNamesOnlyAsWritten(const MarkedText& marked) const;
  absl::StatusOr<Digest> ContentKey(const std::string& file, bool* names_base_dir) const;
  // ProbeDriver's answer, asked once for both keys.
  const absl::StatusOr<DriverFacts>& Driver() const;
  // CompilerIdentity, worked out once for every key.
  const absl::StatusOr<Digest>& Identity() const;
  // Whether nothing but the compiler may name the directory in the object (launcher/debug_dir.h).
  std::string WhyOptionsNameCwd() const;
  bool MayMoveDebugDirectory() const;

  const Compiler& compiler_;
  const CompileRequest& request_;
  const Config& config_;
  const PathRewriter& paths_;
  bool color_;
  const EnvLookup& env_;
  mutable std::optional<absl::StatusOr<DriverFacts>> driver_;
  mutable std::optional<absl::StatusOr<Digest>> identity_;
};

}  // namespace ddcc
