#include "launcher/rustc_outputs.h"

#include <gtest/gtest.h>

namespace ddcc {
namespace {

const PathRewriter kTreeOne({"/src"}, "/src/one", "/src/one");

// rustc 1.63's dependency-info file, as cargo has it written for a crate with a generated file.
constexpr absl::string_view kDepInfo =
    "/src/one/target/deps/liba-1.rmeta: a/src/lib.rs /src/one/target/out/gen\\ x.rs "
    "/reg/m.rs\n"
    "\n"
    "/src/one/target/deps/a-1.d: a/src/lib.rs /src/one/target/out/gen\\ x.rs /reg/m.rs\n"
    "\n"
    "a/src/lib.rs:\n"
    "/src/one/target/out/gen\\ x.rs:\n"
    "/reg/m.rs:\n"
    "\n"
    "# env-dep:OUT_DIR=/src/one/target/out\n";

TEST(RustcOutputsTest, DepInfoIsLaidOutAgainInAnotherTree) {
  std::optional<std::string> stored =
      RelocatableDepInfo(kDepInfo, "/src/one/target/deps", kTreeOne);
  ASSERT_TRUE(stored.has_value());
  EXPECT_EQ(stored->find("/src/one/target/deps"), std::string::npos);
  EXPECT_EQ(Relocated(*stored, "/src/one/target/deps", "/src/one"), kDepInfo);
  EXPECT_EQ(Relocated(*stored, "/src/my tree/target/deps", "/src/my tree"),
            "/src/my\\ tree/target/deps/liba-1.rmeta: a/src/lib.rs "
            "/src/my\\ tree/target/out/gen\\ x.rs /reg/m.rs\n"
            "\n"
            "/src/my\\ tree/target/deps/a-1.d: a/src/lib.rs /src/my\\ tree/target/out/gen\\ x.rs "
            "/reg/m.rs\n"
            "\n"
            "a/src/lib.rs:\n"
            "/src/my\\ tree/target/out/gen\\ x.rs:\n"
            "/reg/m.rs:\n"
            "\n"
            "# env-dep:OUT_DIR=/src/one/target/out\n");  // the value as read: keyed as it is
}

TEST(RustcOutputsTest, ASourceInTheOutputDirectoryKeepsItsPlace) {
  // Keyed by its path relative to the working directory, not by the output directory's.
  constexpr absl::string_view kText = "/src/one/o/a.d: /src/one/o/gen.rs\n\n/src/one/o/gen.rs:\n";
  std::optional<std::string> stored = RelocatableDepInfo(kText, "/src/one/o", kTreeOne);
  ASSERT_TRUE(stored.has_value());
  EXPECT_EQ(Relocated(*stored, "/src/two/p", "/src/two"),
            "/src/two/p/a.d: /src/two/o/gen.rs\n\n/src/two/o/gen.rs:\n");
}

TEST(RustcOutputsTest, TextHoldingTheMarksIsNotMadeRelocatable) {
  EXPECT_FALSE(RelocatableDepInfo("/src/one/o/x.d: \x01R.\x02\n", "/src/one/o", kTreeOne));
  EXPECT_FALSE(RelocatableMessages("warning: \x02\n", "/src/one/o"));
}

TEST(RustcOutputsTest, ArtifactNoticesNameTheOutputDirectory) {
  constexpr absl::string_view kMessages =
      "{\"artifact\":\"/src/one/o/liba.rmeta\",\"emit\":\"metadata\"}\n"
      "{\"message\":\"/src/one/o/ in a message stays\"}\n";
  std::optional<std::string> stored = RelocatableMessages(kMessages, "/src/one/o");
  ASSERT_TRUE(stored.has_value());
  EXPECT_EQ(Relocated(*stored, "/src/one/o", "/src/one"), kMessages);
  EXPECT_EQ(Relocated(*stored, "/src/two/o", "/src/two"),
            "{\"artifact\":\"/src/two/o/liba.rmeta\",\"emit\":\"metadata\"}\n"
            "{\"message\":\"/src/one/o/ in a message stays\"}\n");
  // JSON would escape these: a directory spelled so is neither stored nor laid out.
  EXPECT_FALSE(RelocatableMessages(kMessages, "/src/a\"b"));
  EXPECT_FALSE(Relocated(*stored, "/src/a\\b/o", "/src/a\\b"));
}

}  // namespace
}  // namespace ddcc
