// The #include directives a source's own text holds, read without the preprocessor, for depend
// mode: gcc looks for a precompiled header (x.h.gch, or a directory of them) at each place an
// #include of the source searches, and no dependency file names one it used (nor its header).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "launcher/preprocessor_output.h"

namespace ddcc {

// Every #include and #import of `text` (as ScanContent reads it: comments removed, splices
// joined), whether conditional or not, with `includer` as the file holding it; nullopt where
// one names its header by a macro.
std::optional<std::vector<IncludeDirective>> IncludesOfText(absl::string_view text,
                                                            const std::string& includer);

}  // namespace ddcc
