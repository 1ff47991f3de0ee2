// The little JSON ddcc writes (--show-stats --json, --report --json, traces).
#pragma once

#include <string>

#include "absl/strings/string_view.h"

namespace ddcc {

// `text` as a JSON string, quotes included.
std::string JsonString(absl::string_view text);

}  // namespace ddcc
