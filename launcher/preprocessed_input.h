// What a preprocessed source (.i, .ii) may still ask of the compiler, whose bytes ddcc takes for
// the preprocessed text. gcc compiles one without its preprocessor (-fpreprocessed): a directive
// other than a line marker or #pragma is an error, and no macro is expanded. clang runs its
// preprocessor over it all the same (#include, #define, #if __has_include, __DATE__ work), only
// without -D and -include.
#pragma once

#include <optional>
#include <string>

#include "absl/strings/string_view.h"

namespace ddcc {

// What makes either compiler read another file, the clock or the source's name: a directive
// other than a line marker, #pragma, #ident or #sccs; a pragma that reads a file (gcc's
// pch_preprocess, which -fpch-preprocess leaves in a .i, dependency, include_alias, clang's
// module); a name
// clang expands from outside the text (__DATE__, __FILE__, _Pragma, ...). nullopt if none.
std::optional<std::string> ScanPreprocessedInput(absl::string_view text);

}  // namespace ddcc
