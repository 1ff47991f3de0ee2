// ddcc's own log (DDCC_LOGFILE). ddcc never writes its complaints to the compiler's stderr.
#pragma once

#include <string>

#include "absl/strings/string_view.h"

namespace ddcc {

// An empty path turns logging off; Log() then costs nothing.
void OpenLog(const std::string& path);
void Log(absl::string_view message);

}  // namespace ddcc
