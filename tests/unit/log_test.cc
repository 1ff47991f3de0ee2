#include "cache/util/log.h"

#include <fstream>
#include <sstream>
#include <string>

#include "gtest/gtest.h"
#include "tests/unit/temp_dir_test.h"

namespace ddcc {
namespace {

class LogTest : public TempDirTest {
 protected:
  std::string ReadLog() {
    std::ifstream in(dir_ + "/log");
    std::stringstream content;
    content << in.rdbuf();
    return content.str();
  }
  void TearDown() override {
    OpenLog("");
    TempDirTest::TearDown();
  }
};

TEST_F(LogTest, AShortMessageIsOneWholeLine) {
  OpenLog(dir_ + "/log");
  Log("not cacheable (preprocessor_failed): x.c:1: error");
  std::string log = ReadLog();
  EXPECT_NE(log.find("] not cacheable (preprocessor_failed): x.c:1: error\n"), std::string::npos);
}

// A compile failing with gigabytes of messages must not fill the disk with the log.
TEST_F(LogTest, AHugeMessageIsCutAndSaysHowMuchIsLeftOut) {
  OpenLog(dir_ + "/log");
  std::string message = "start " + std::string(1'000'000, 'x');
  Log(message);
  std::string log = ReadLog();
  EXPECT_LT(log.size(), 5000u);
  EXPECT_NE(log.find("] start xxx"), std::string::npos);
  EXPECT_NE(log.find(" ... (995910 bytes more)\n"), std::string::npos);
  EXPECT_EQ(log.find('\n'), log.size() - 1);  // still one line
}

}  // namespace
}  // namespace ddcc
