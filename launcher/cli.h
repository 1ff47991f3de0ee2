// Command mode: `ddcc --show-stats` and the other options a ccache or sccache user would type,
// including the ones sccache-style build scripts run (--start-server, --stop-server, -s, -z).
#pragma once

#include <string>
#include <vector>

#include "launcher/config.h"

namespace ddcc {

// Whether `ddcc ARG ...` is a command rather than a compile with bare compiler options.
bool IsCommandOption(const std::string& arg);

// Runs the commands in order; returns the exit status.
int RunCommands(const std::vector<std::string>& args, const EnvLookup& env);

}  // namespace ddcc
