// Dependency files name their targets (the object, -MT, -MQ), so their bytes depend on the
// object's name. To share one entry between compiles that differ only in that name (CMake's
// static and shared variants of a library), the key leaves the targets out when this compile's
// targets are known exactly as the compiler writes them; a hit lays the stored file out again
// with them (launcher/depfile_layout.h). A file that cannot be laid out again is stored as
// written and serves only targets of the same lengths.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "cache/util/hash.h"
#include "launcher/args.h"

namespace ddcc {

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

}  // namespace ddcc
