#include "launcher/rustc_manifest.h"

#include <gtest/gtest.h>

#include <map>
#include <string>

namespace ddcc {
namespace {

EnvLookup Environment(std::map<std::string, std::string> values) {
  return [values = std::move(values)](const char* name) -> const char* {
    auto found = values.find(name);
    return found == values.end() ? nullptr : found->second.c_str();
  };
}

TEST(RustcManifestTest, TheEnvironmentReadsTheSameOnlyWithEveryValueAsRead) {
  constexpr absl::string_view kRead = "# env-dep:A=1=2\n# env-dep:UNSET\n";
  EXPECT_TRUE(EnvironmentReadsTheSame(kRead, Environment({{"A", "1=2"}})));
  EXPECT_TRUE(EnvironmentReadsTheSame("", Environment({})));
  EXPECT_FALSE(EnvironmentReadsTheSame(kRead, Environment({{"A", "1"}})));
  EXPECT_FALSE(EnvironmentReadsTheSame(kRead, Environment({})));
  EXPECT_FALSE(EnvironmentReadsTheSame(kRead, Environment({{"A", "1=2"}, {"UNSET", ""}})));
  // rustc escapes these in what it writes: not compared here, but by the dep-info pass.
  EXPECT_FALSE(EnvironmentReadsTheSame("# env-dep:A=x\\ny\n", Environment({{"A", "x\ny"}})));
  EXPECT_FALSE(EnvironmentReadsTheSame("# env-dep:A=x\\\\y\n", Environment({{"A", "x\\y"}})));
  EXPECT_FALSE(EnvironmentReadsTheSame("# env-dep:A=x\n", Environment({{"A", "x\n"}})));
  EXPECT_FALSE(EnvironmentReadsTheSame("not a line rustc writes\n", Environment({})));
}

}  // namespace
}  // namespace ddcc
