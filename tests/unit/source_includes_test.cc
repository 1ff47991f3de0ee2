#include "launcher/source_includes.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace ddcc {
namespace {

using ::testing::ElementsAre;
using ::testing::FieldsAre;

TEST(SourceIncludesTest, ReadsEveryIncludeOfTheText) {
  constexpr absl::string_view kText =
      "#include \"pch.h\"\n"
      "  #  include   <sys/types.h>\n"
      "#if 0\n#include_next \"off.h\"\n#endif\n"
      "#import <once.h>\n"
      "%:include \"digraph.h\"\n"
      "?"
      "?=include <trigraph.h>\n"  // split: no trigraph in this file
      "#included_not\n"
      "int x; // #include \"text.h\" is no directive\n";
  std::optional<std::vector<IncludeDirective>> found = IncludesOfText(kText, "src/a.c");
  ASSERT_TRUE(found.has_value());
  EXPECT_THAT(*found, ElementsAre(FieldsAre("pch.h", true, false, "src/a.c"),
                                  FieldsAre("sys/types.h", false, false, "src/a.c"),
                                  FieldsAre("off.h", true, true, "src/a.c"),
                                  FieldsAre("once.h", false, false, "src/a.c"),
                                  FieldsAre("digraph.h", true, false, "src/a.c"),
                                  FieldsAre("trigraph.h", false, false, "src/a.c")));
}

TEST(SourceIncludesTest, AHeaderNamedByAMacroIsNotKnown) {
  EXPECT_FALSE(IncludesOfText("#define H \"h.h\"\n#include H\n", "a.c").has_value());
  EXPECT_FALSE(IncludesOfText("#include \"unclosed.h\n", "a.c").has_value());
}

}  // namespace
}  // namespace ddcc
