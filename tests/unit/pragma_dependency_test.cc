#include "launcher/pragma_dependency.h"

#include "gtest/gtest.h"

namespace ddcc {
namespace {

TEST(PragmaDependencyTest, FindsThePragmaHoweverSpaced) {
  for (absl::string_view text : {
           "#pragma GCC dependency \"parse.y\"\n",
           "#  pragma   GCC\tdependency <parse.y>\n",
           "#pragma GCC /* why */ dependency \"parse.y\"\n",
           "#pragma GCC \\\n dependency \"parse.y\"\n",
           "_Pragma(\"GCC dependency \\\"parse.y\\\"\")\n",
           "#pragma clang dependency \"parse.y\"\n",
           "XPRAGMA(G dependency PARSER_FILE)\n",
           // The words in a macro's body, or its arguments over two lines.
           "#define ARGS G dependency DEP\nP(ARGS)\n",
           "XPRAGMA(G\n        dependency DEP)\n",
           "XPRAGMA(G dependency\n        DEP)\n",
       }) {
    EXPECT_TRUE(NamesPragmaDependency(text)) << text;
  }
}

TEST(PragmaDependencyTest, OtherMentionsOfDependencyDoNotCount) {
  for (absl::string_view text : {
           "/* RTLD_LAZY: resolve each dependency when needed */\n",
           "#pragma GCC diagnostic push\nint dependency;\n",
           "/* resolve each dependency when needed */\nint f(int dependency_count);\n",
           "int visit(struct dependency d);\nvoid add(int g, dependency dep);\n",
           "for (auto dependency : all) use(dependency);\nint n = (a.mydependency b);\n",
           "/* the dependency graph */\nf(x,\n  other dependency);\n",
       }) {
    EXPECT_FALSE(NamesPragmaDependency(text)) << text;
  }
}

}  // namespace
}  // namespace ddcc
