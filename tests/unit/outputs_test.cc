#include "launcher/outputs.h"

#include <unistd.h>

#include <fstream>

#include "cache/util/files.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/unit/temp_dir_test.h"

namespace ddcc {
namespace {

using ::testing::ElementsAre;

class OutputsTest : public TempDirTest {
 protected:
  CompileRequest Parsed(std::vector<std::string> args) const {
    ParsedArgs parsed = ParseArgs(Family::kGcc, args);
    EXPECT_TRUE(std::holds_alternative<CompileRequest>(parsed));
    return std::get<CompileRequest>(parsed);
  }
};

// The compiler writes to private paths beside the build's; the default dependency target is
// kept as the build's object name; moving puts the files in place and leaves no private one.
TEST_F(OutputsTest, ACompileWritesPrivatelyAndMovesIntoPlace) {
  const std::string object = dir_ + "/x.o";
  const CompileRequest request = Parsed({"-MD", "-c", "x.c", "-o", object});
  CompileOutputs outputs(request);
  ASSERT_NE(outputs.object(), object);
  ASSERT_NE(outputs.dep_file(), request.dep_file);
  EXPECT_EQ(DirectoryOf(outputs.object()), dir_);
  EXPECT_THAT(outputs.CompilerArgs({}), ElementsAre("-MD", "-c", "x.c", "-o", outputs.object(),
                                                    "-MF", outputs.dep_file(), "-MT", object));
  std::ofstream(outputs.object()) << "o";
  std::ofstream(outputs.dep_file()) << "d";
  EXPECT_TRUE(outputs.NamedIn(absl::StrCat("error in ", outputs.object())));
  EXPECT_FALSE(outputs.NamedIn("error in x.c"));
  ASSERT_TRUE(outputs.MoveIntoPlace().ok());
  EXPECT_EQ(ReadFile(object).value_or(""), "o");
  EXPECT_EQ(ReadFile(request.dep_file).value_or(""), "d");
  EXPECT_TRUE(NothingAt(outputs.object()));
  EXPECT_TRUE(NothingAt(outputs.dep_file()));
}

// A failed compile's private files are removed, and the build's are left as they were.
TEST_F(OutputsTest, AFailedCompileLeavesNothingBehind) {
  const std::string object = dir_ + "/x.o";
  std::ofstream(object) << "old";
  const CompileRequest request = Parsed({"-c", "x.c", "-o", object});
  std::string private_object;
  {
    CompileOutputs outputs(request);
    private_object = outputs.object();
    std::ofstream(private_object) << "half";
  }
  EXPECT_TRUE(NothingAt(private_object));
  EXPECT_EQ(ReadFile(object).value_or(""), "old");
}

// Where the object names itself (--coverage), the compiler writes where the build asked.
TEST_F(OutputsTest, AnObjectNamingItselfIsWrittenInPlace) {
  const std::string object = dir_ + "/x.o";
  const CompileRequest request = Parsed({"--coverage", "-c", "x.c", "-o", object});
  CompileOutputs outputs(request);
  EXPECT_EQ(outputs.object(), object);
  EXPECT_THAT(outputs.CompilerArgs({"-c", "x.c"}), ElementsAre("-c", "x.c"));
}

}  // namespace
}  // namespace ddcc
