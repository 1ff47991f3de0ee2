// Dependency files name their targets (the object, -MT, -MQ) and wrap long lines at a column, so
// their bytes depend on the targets' text. To share one entry between compiles that differ only in
// the object's name, the key holds only the targets' lengths when every target is "plain" (no
// character Make quoting would change, none that could be read as a separator); a hit then
// writes the stored file with the new targets put in place of the old ones, which, being of the
// same lengths, leaves every line break where the compiler would put it now.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "cache/hash.h"

namespace ddcc {

bool IsPlainTarget(absl::string_view target);

// Adds the targets to a key: their lengths when all are plain, else their full text.
void HashDepTargets(Hasher& hasher, const std::vector<std::string>& targets);

// `depfile` with its leading targets replaced by `targets`, which must be plain and of the same
// lengths as the ones it has. An error when the file does not start with such targets and ':'.
absl::StatusOr<std::string> ReplaceDepTargets(absl::string_view depfile,
                                              const std::vector<std::string>& targets);

}  // namespace ddcc
