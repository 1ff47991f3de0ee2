// Dependency files, in one module: the rule gcc and clang write (parsed, and laid out again
// byte for byte), the targets in keys, the portable form an entry keeps, and depend mode.
//
// gcc and clang write a dependency file as one rule: the targets, ':', the prerequisites, with
// a line broken (` \`) before a word that would pass a column; -MP adds an empty rule for every
// prerequisite but the source. Where the breaks fall depends only on the words' lengths, so a
// rule's words can be laid out again, with other targets or other paths, byte for byte as the
// compiler would write them.
//
// Dependency files name their targets (the object, -MT, -MQ), so their bytes depend on the
// object's name. To share one entry between compiles that differ only in that name (CMake's
// static and shared variants of a library), the key leaves the targets out when this compile's
// targets are known exactly as the compiler writes them; a hit lays the stored file out again
// with them (LayOut). A file that cannot be laid out again is stored as written and serves
// only targets of the same lengths.
//
// A dependency file names the source and headers as the compiler found them: with absolute
// arguments (CMake passes them all), by the absolute paths of one tree. To serve a second
// checkout from the same entry, and compiles to other objects (its targets), the entry keeps
// the file's prerequisites with every path below a base directory made relative to the working
// directory; a hit puts this tree's paths and this compile's targets in, and lays the words out
// again as gcc or clang does.
//
// Depend mode (DDCC_DEPEND): where a compile writes a dependency file anyway, a direct-mode miss
// compiles at once and learns the include set from that file instead of from `cc -E`, saving the
// preprocessor run. Only a file that lists every header read will do.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "cache/util/hash.h"
#include "launcher/args.h"
#include "launcher/paths.h"

namespace ddcc {

struct DepRule {
  std::vector<std::string> targets;        // as written (CompileRequest::dep_targets)
  std::vector<std::string> prerequisites;  // unquoted paths
  bool phony = false;                      // -MP
};

// The file `family` writes for `rule`. Prerequisites are Make-quoted as `family` quotes them
// (clang leaves a tab as it is); paths ParseDepfile read hold no backslash nor control
// character, paths RestoreDepfile lays out in a tree may.
std::string LayOut(const DepRule& rule, Family family);

// The start of that file: the targets and the ':'.
std::string LayOutTargets(const std::vector<std::string>& targets, Family family);

// The rule of `depfile`, which names `targets` first. FailedPrecondition unless LayOut gives
// the file back byte for byte, or where a path's quoting is ambiguous.
absl::StatusOr<DepRule> ParseDepfile(absl::string_view depfile,
                                     const std::vector<std::string>& targets, Family family);

// The prerequisites of `depfile`'s first rule (after `targets` as `family` lays them out, else
// after the first ':' that ends a word), however its words are laid out, unquoted as both
// compilers quote them: to learn which files a compile read, never to write them back (see
// ParseDepfile).
std::vector<std::string> ListedPrerequisites(absl::string_view depfile,
                                             const std::vector<std::string>& targets,
                                             Family family);

// Whether the compiler writes `target` (as CompileRequest::dep_targets holds it) surely so:
// no control character, and a backslash only as gcc and clang quote a space or '#'.
bool IsRewritableTarget(absl::string_view target);

// Adds the targets to a key: nothing when all are rewritable, else their full text.
void HashDepTargets(Hasher& hasher, const std::vector<std::string>& targets);

// The targets' lengths, kept with a file stored as written.
std::string TargetLengths(const std::vector<std::string>& targets);

// `depfile`, stored as written for targets of `stored_lengths`, with `targets` in their place.
// FailedPrecondition when their lengths differ: the lines would break elsewhere.
absl::StatusOr<std::string> ReplaceDepTargets(absl::string_view depfile,
                                              absl::string_view stored_lengths,
                                              const std::vector<std::string>& targets,
                                              Family family);

// The portable form of `depfile`, which `family` wrote for `targets` in the working directory
// of `paths`. FailedPrecondition when ParseDepfile refuses it, or it names a file below a base
// directory that cannot be made relative exactly.
absl::StatusOr<std::string> MakePortableDepfile(absl::string_view depfile,
                                                const std::vector<std::string>& targets,
                                                Family family, const PathRewriter& paths);

// The dependency file `family` would write for `targets` in `cwd` (absolute, plainly spelled)
// for the portable form `portable`. DataLoss when `portable` is malformed.
absl::StatusOr<std::string> RestoreDepfile(absl::string_view portable,
                                           const std::vector<std::string>& targets, Family family,
                                           absl::string_view cwd);

// Why this compile's dependency file cannot stand in for the preprocessor; nullopt when it can.
std::optional<std::string> DependModeRefusal(const CompileRequest& request);

// Make-quoting as gcc and clang apply it to -MQ and default targets.
std::string MakeQuote(absl::string_view target);

}  // namespace ddcc
