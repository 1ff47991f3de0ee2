// rustc's outputs that name the tree they were made in, kept so that a hit in another tree lays
// them out as rustc writes them there (docs/rust.md, "Other directories"). The dependency-info
// file names the output directory and the sources as rustc found them; `--json=artifacts`
// messages name each output. Below base directories neither is in the key, so an entry holds
// them with marks for the output directory and for paths relative to the working directory.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "launcher/paths.h"

namespace ddcc {

// What a dependency-info file says the crate reads.
struct DepInfo {
  std::vector<std::string> files;
  std::vector<std::string> env_lines;  // "# env-dep:NAME=VALUE" as rustc writes them
};

// rustc's spelling of a path in a dependency-info file: a space as "\ ", every other byte as is.
std::string DepInfoSpelling(absl::string_view path);

// rustc's dependency-info file `text`, from the rule for `target` (as the file spells it).
absl::StatusOr<DepInfo> ParseDepInfo(absl::string_view text, absl::string_view target);

// The dependency-info file `text`, written into `out_dir`, with the output directory of its
// targets and each other absolute path below a base directory marked; none where no mark could
// be undone exactly.
std::optional<std::string> RelocatableDepInfo(absl::string_view text, absl::string_view out_dir,
                                              const PathRewriter& paths);

// rustc's messages `text` with the output directory of each artifact notice marked; none
// where no mark could be undone exactly.
std::optional<std::string> RelocatableMessages(absl::string_view text, absl::string_view out_dir);

// A relocatable text laid out for `out_dir` and the working directory `cwd`; none where a
// message would have to spell the directory in JSON's escapes.
std::optional<std::string> Relocated(absl::string_view stored, absl::string_view out_dir,
                                     absl::string_view cwd);

}  // namespace ddcc
