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

// A macro's `extern crate $name;` names whatever crate the macro is given.
TEST(RustSourceTest, AMacrosExternCrateIsNamedAsItIsWritten) {
  EXPECT_EQ(ExternCrateNames("macro_rules! ext { ($n:ident) => { extern crate $n; }; }\n"),
            Names{"$n"});
  // Tokens a macro puts together; an ABI, a block and a function are no crate.
  EXPECT_EQ(ExternCrateNames("m!(extern, crate, foo);\n"), Names{"$extern"});
  EXPECT_EQ(ExternCrateNames("extern \"C\" { fn f(); }\npub extern \"C\" fn g() {}\n"
                             "extern fn h() {}\nextern {}\nlet externals = 1;\n"
                             "[extern] => { $crate::token::Extern };\n"),
            Names{});
}

// The libraries #[link(kind = "static")] bundles, however the attribute is written; a dynamic
// library's or a call named link() are no such attribute.
TEST(RustSourceTest, StaticLinkAttributesNameTheirLibraries) {
  EXPECT_EQ(StaticLinkNames("#[link(name = \"foo\", kind = \"static\")]\nextern \"C\" {}\n"
                            "#[cfg_attr(unix, link(kind=\"static\", name=\"bar\", "
                            "modifiers=\"+whole-archive\"))] extern {}\n"
                            "#[link(name = \"z\")] extern {}\n"
                            "#[link(name = \"d\", kind = \"dylib\")] extern {}\n"
                            "#[cfg_attr(x, link(name = \"m\", kind = \"static\", "
                            "modifiers = \"-bundle\", cfg(target_feature = \"crt-static\")))]\n"
                            "fn f() { link(a, b); fs::hard_link(x, y); }\n"
                            "// #[link(name = \"c\", kind = \"static\")]\n")
                .value(),
            (Names{"foo", "bar"}));
  EXPECT_FALSE(StaticLinkNames("#[link(name = $n, kind = \"static\")]").ok());
  EXPECT_FALSE(StaticLinkNames("#[link(name = \"a\", kind = $k)]").ok());
  // +verbatim names the file as is, not lib<name>.a.
  EXPECT_FALSE(StaticLinkNames("#[link(name = \"libn.a\", kind = \"static\", "
                               "modifiers = \"+verbatim\")] extern {}")
                   .ok());
}

}  // namespace
}  // namespace ddcc
