// The sources ddcc caches, and the language gcc and clang take each for.
#pragma once

#include "absl/strings/string_view.h"
#include "launcher/args.h"

namespace ddcc {

// The language the compiler takes `path` for by its suffix, as -x names it; empty for one ddcc
// does not know. A C++ driver (g++, clang++) compiles .c and .i files as C++.
absl::string_view LanguageForSuffix(Family family, bool cxx_driver, absl::string_view path);

bool IsSupportedLanguage(absl::string_view language);

// Whether the compiler reads a source of `language` as it is, without its preprocessor:
// assembler (.s), preprocessed C or C++ (.i, .ii). Its bytes stand for the preprocessed text.
bool ReadsSourceAsIs(absl::string_view language);

// Whether files in `charset` (-finput-charset=) read as ASCII where they are ASCII (UTF-8,
// Latin-1, Windows' code pages), as ddcc's scans of them read them: UTF-16 and EBCDIC do not.
bool AsciiSuperset(absl::string_view charset);

}  // namespace ddcc
