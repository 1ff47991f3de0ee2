// Response files (@file): arguments kept in a file, which gcc and clang read in place of the
// @file argument, each splitting the text its own way.
#pragma once

#include <string>
#include <vector>

#include "launcher/args.h"

namespace ddcc {

// Appends `in` to `out` with every @file replaced by its arguments, nested ones too. False, with
// `bad` naming the first file that could not be read (absent, not a regular file, nested too
// deep), when any could not: the call is then left to the compiler.
bool ExpandResponseFiles(const std::vector<std::string>& in, Family family,
                         std::vector<std::string>* out, std::string* bad);

}  // namespace ddcc
