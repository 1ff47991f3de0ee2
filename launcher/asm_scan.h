// Whether a compile's text may make the assembler read files itself (.incbin, .include): files
// the preprocessor never sees, so their content would not be in any key.
#pragma once

#include <optional>
#include <string>

#include "absl/strings/string_view.h"

namespace ddcc {

// For C and C++ text (preprocessed, or a raw source or header): what the assembler could be
// given lies in string literals, so they are decoded (escapes, adjacent literals joined) and
// searched, case-insensitively as the assemblers read directives, for the directives that read
// files and for what could build their names inside the assembler (gas macros and .irp, an asm
// operand in a directive's name). The reason found, or nullopt. One pass.
std::optional<std::string> ScanCText(absl::string_view text);

// For a raw C or C++ source or header, whose literals macros have yet to join: ScanCText, the
// name "incbin" anywhere, as a macro may make a literal of it (#x), and a literal that ends in
// the start of .incbin or .include (".inc" B), which a macro's literal may complete.
std::optional<std::string> ScanRawCText(absl::string_view text);

// The same for assembler source: the text itself is what the assembler reads.
std::optional<std::string> ScanAssemblerText(absl::string_view text);

// Whether text holds .file or .loc (any case) where the assembler may read it (assembler source,
// or C's inline assembly), after which gas writes line tables naming the working directory, -g
// or not.
bool HoldsLineTableDirective(absl::string_view text);

}  // namespace ddcc
