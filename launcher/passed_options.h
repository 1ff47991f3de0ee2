// Options that pass their values to a tool the driver runs (-Wa, and -Xassembler to the
// assembler, -Xclang to clang's cc1): what each value means for caching.
#pragma once

#include <vector>

#include "absl/strings/string_view.h"

namespace ddcc {

struct PassedOptions {
  bool cacheable = true;
  bool debug_info = false;     // the tool writes debug info, which names paths
  bool value_follows = false;  // the next -Xclang gives this one's value
};

// The assembler's options, as -Wa,a,b or -Xassembler a passes them.
PassedOptions AssemblerOptions(const std::vector<absl::string_view>& pieces);

// One -Xclang's value for cc1. Only what is known to shape the object or the messages as the
// command line shows it is cached (CMake's -fno-pch-timestamp, Chromium's debug info kind and
// compilation directory).
PassedOptions Cc1Option(absl::string_view value);

}  // namespace ddcc
