#include "launcher/debug_option.h"

#include "absl/strings/match.h"

namespace ddcc {

void ApplyDebugOption(absl::string_view v, bool* debug_info) {
  static constexpr absl::string_view kModifiers[] = {"column-info",
                                                     "no-column-info",
                                                     "strict-dwarf",
                                                     "no-strict-dwarf",
                                                     "pubnames",
                                                     "no-pubnames",
                                                     "gnu-pubnames",
                                                     "no-gnu-pubnames",
                                                     "record-gcc-switches",
                                                     "no-record-gcc-switches",
                                                     "describe-dies",
                                                     "no-describe-dies",
                                                     "as-loc-support",
                                                     "no-as-loc-support",
                                                     "as-locview-support",
                                                     "statement-frontiers",
                                                     "no-statement-frontiers",
                                                     "variable-location-views",
                                                     "no-variable-location-views",
                                                     "inline-points",
                                                     "internal-reset-location-views",
                                                     "no-embed-source",
                                                     "simple-template-names",
                                                     "no-simple-template-names",
                                                     "no-split-dwarf",
                                                     "no-record-command-line"};
  if (absl::StartsWith(v, "z")) return;  // -gz, -gz=zlib: compression
  for (absl::string_view m : kModifiers) {
    if (absl::StartsWith(v, m) && (v.size() == m.size() || v[m.size()] == '=')) return;
  }
  // -gstabs0 as well as -g0 and -ggdb0 turns debug info off in gcc; -gctf0 does not.
  *debug_info = v != "0" && v != "gdb0" && v != "stabs0";
}

}  // namespace ddcc
