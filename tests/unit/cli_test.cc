#include "launcher/cli.h"

#include "gtest/gtest.h"

namespace ddcc {
namespace {

// `ddcc ARG ...` runs commands only for ARG a command names; anything else is a compile with
// bare compiler options (`ddcc -c x.c` compiles with cc).
TEST(CliTest, CommandsAreToldFromCompilerOptions) {
  for (const char* command : {"-s",
                              "--show-stats",
                              "-z",
                              "--zero-stats",
                              "-C",
                              "--clear",
                              "--cleanup",
                              "--evict-older-than",
                              "--evict-older-than=7d",
                              "--max-size",
                              "--max-size=10G",
                              "--show-config",
                              "--explain",
                              "--explain=a.o",
                              "--start-server",
                              "--stop-server",
                              "--json",
                              "--version",
                              "-h",
                              "--help"}) {
    EXPECT_TRUE(IsCommandOption(command)) << command;
  }
  for (const char* option : {"-c", "-o", "--max-sizes", "--cleanup=now", "--show-stats=1",
                             "--explainer", "-S", "x.c", ""}) {
    EXPECT_FALSE(IsCommandOption(option)) << option;
  }
}

}  // namespace
}  // namespace ddcc
