#include "launcher/rust_source.h"

#include <gtest/gtest.h>

namespace ddcc {
namespace {

using Names = std::vector<std::string>;

TEST(RustSourceTest, ExternCrateItemsAreFound) {
  EXPECT_EQ(ExternCrateNames("extern crate a;\n#[macro_use] extern  crate\tb as c;\n"
                             "pub extern crate r#d;\nfn f() { extern crate e; }\n"),
            (Names{"a", "b", "d", "e"}));
  EXPECT_EQ(ExternCrateNames("extern \"C\" { fn f(); }\nmy_extern crate;\nextern crates_x;\n"),
            Names{});
}

TEST(RustSourceTest, CommentsAndLiteralsAreNotCode) {
  // As smallvec's doctests name it in its own source.
  EXPECT_EQ(ExternCrateNames("/// # #[macro_use] extern crate smallvec;\n"
                             "//! extern crate x;\n"
                             "/* outer /* nested */ extern crate y; */\n"
                             "const S: &str = \"extern crate z; \\\" still\";\n"
                             "const R: &str = r#\"extern crate w; \" still\"#;\n"
                             "const B: &[u8] = br\"extern crate v;\";\n"
                             "extern crate real;\n"),
            Names{"real"});
}

TEST(RustSourceTest, CharactersAndLifetimesDoNotHideCode) {
  // A quote in a character literal starts no string; a lifetime starts no character literal.
  EXPECT_EQ(
      ExternCrateNames("const Q: char = '\"'; extern crate a;\n"
                       "fn f<'a>(x: &'a str) -> &'a str { x } extern crate b;\n"
                       "const E: char = '\\''; const U: char = '\\u{1F600}'; extern crate c;\n"
                       "const M: char = 'é'; 'outer: loop { break 'outer; } extern crate d;\n"
                       "const BC: u8 = b'\"'; extern crate e;\n"),
      (Names{"a", "b", "c", "d", "e"}));
}

}  // namespace
}  // namespace ddcc
