#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "launcher/depfile.h"

namespace ddcc {
namespace {

using ::testing::ElementsAre;

TEST(DependModeTest, OnlyDependencyFilesListingEveryHeader) {
  CompileRequest request;
  request.language = "c++";
  EXPECT_TRUE(DependModeRefusal(request).has_value());  // no dependency file
  request.generates_deps = true;
  request.dep_options = {"-MD", "-MP"};
  EXPECT_EQ(DependModeRefusal(request), std::nullopt);
  request.dep_options = {"-MMD"};
  EXPECT_TRUE(DependModeRefusal(request).has_value());  // no system headers
  request.dep_options = {"-MD"};
  request.language = "assembler-with-cpp";
  EXPECT_TRUE(DependModeRefusal(request).has_value());
}

}  // namespace
}  // namespace ddcc
