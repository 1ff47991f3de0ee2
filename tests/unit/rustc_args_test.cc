#include "launcher/rustc_args.h"

#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"

namespace ddcc {
namespace {

// A library crate as cargo 0.66 compiles a registry dependency.
std::vector<std::string> CargoLibArgs() {
  return {"--crate-name",
          "memchr",
          "--edition=2018",
          "/reg/memchr-2.5.0/src/lib.rs",
          "--error-format=json",
          "--json=diagnostic-rendered-ansi,artifacts,future-incompat",
          "--crate-type",
          "lib",
          "--emit=dep-info,metadata,link",
          "-C",
          "embed-bitcode=no",
          "-C",
          "debuginfo=2",
          "--cfg",
          "feature=\"std\"",
          "-C",
          "metadata=5c89e3e31e0e8720",
          "-C",
          "extra-filename=-5c89e3e31e0e8720",
          "--out-dir",
          "/t/debug/deps",
          "-L",
          "dependency=/t/debug/deps",
          "--extern",
          "libc=/t/debug/deps/liblibc-1.rmeta",
          "--cap-lints",
          "allow",
          "-L",
          "native=/t/out",
          "-l",
          "static=native"};
}

TEST(RustcArgsTest, CargoLibraryCrate) {
  ParsedRustcArgs parsed = ParseRustcArgs(CargoLibArgs());
  ASSERT_TRUE(std::holds_alternative<RustcRequest>(parsed));
  const RustcRequest& request = std::get<RustcRequest>(parsed);
  EXPECT_EQ(request.source, "/reg/memchr-2.5.0/src/lib.rs");
  EXPECT_EQ(request.crate_name, "memchr");
  EXPECT_EQ(request.out_dir, "/t/debug/deps");
  EXPECT_EQ(request.externs, std::vector<std::string>{"/t/debug/deps/liblibc-1.rmeta"});
  EXPECT_EQ(request.extern_names, std::vector<std::string>{"libc"});
  EXPECT_EQ(request.static_libs, std::vector<std::string>{"native"});
  EXPECT_EQ(request.native_dirs, std::vector<std::string>{"/t/out"});
  EXPECT_EQ(request.OutputNames(), (std::vector<std::string>{"memchr-5c89e3e31e0e8720.d",
                                                             "libmemchr-5c89e3e31e0e8720.rmeta",
                                                             "libmemchr-5c89e3e31e0e8720.rlib"}));
}

TEST(RustcArgsTest, JoinedAndSeparateValuesAreTheSame) {
  ParsedRustcArgs parsed =
      ParseRustcArgs({"--crate-name=x", "x.rs", "--crate-type=rlib", "--out-dir=o",
                      "-Cextra-filename=-1", "--extern", "noprelude:y=o/liby.rlib"});
  ASSERT_TRUE(std::holds_alternative<RustcRequest>(parsed));
  const RustcRequest& request = std::get<RustcRequest>(parsed);
  EXPECT_EQ(request.OutputNames(), std::vector<std::string>{"libx-1.rlib"});
  EXPECT_EQ(request.extern_names, std::vector<std::string>{"y"});
}

TEST(RustcArgsTest, WhatIsNotCached) {
  const std::vector<std::string> lib = {"--crate-name", "x", "--crate-type", "lib",
                                        "--out-dir",    "o", "x.rs"};
  auto with = [&lib](std::vector<std::string> more) {
    more.insert(more.begin(), lib.begin(), lib.end());
    return more;
  };
  const std::vector<std::vector<std::string>> refused = {
      {"-vV"},
      {"-", "--crate-name", "___", "--print=file-names", "--crate-type", "lib"},
      {"--crate-name", "x", "--crate-type", "bin", "--out-dir", "o", "x.rs"},
      {"--crate-name", "x", "--crate-type", "proc-macro", "--out-dir", "o", "x.rs"},
      {"--crate-name", "x", "--crate-type", "lib", "x.rs"},  // no --out-dir
      with({"-C", "incremental=/t/incremental"}),
      with({"-Csplit-debuginfo=packed"}),
      with({"--emit=asm"}),
      with({"--emit=link=/t/x.rlib"}),
      with({"-o", "x.rlib"}),
      with({"-Z", "unstable-options"}),
      with({"--extern", "y"}),
      with({"-l", "static:+verbatim=y"}),
      with({"--target", "/t/custom.json"}),
      with({"@args"}),
      with({"--bogus"}),
      with({"y.rs"}),
      with({"-C"}),
  };
  for (const std::vector<std::string>& args : refused) {
    EXPECT_TRUE(std::holds_alternative<NotCacheable>(ParseRustcArgs(args))) << args.back();
  }
  EXPECT_TRUE(
      std::holds_alternative<RustcRequest>(ParseRustcArgs(with({"-Csplit-debuginfo=off"}))));
}

TEST(RustcArgsTest, DepInfoArgsReplaceTheOutputs) {
  EXPECT_EQ(DepInfoArgs({"--crate-name", "x", "--emit=metadata,link", "--out-dir", "o", "x.rs",
                         "--emit", "dep-info", "--out-dir=p", "-C", "opt-level=3"},
                        "/tmp/d/deps.d"),
            (std::vector<std::string>{"--crate-name", "x", "x.rs", "-C", "opt-level=3",
                                      "--emit=dep-info=/tmp/d/deps.d"}));
}

TEST(RustcArgsTest, KeyArgumentsReplaceEachPathInItsForm) {
  auto tag = [](absl::string_view path, RustcPath use) {
    const char* kinds[] = {"location", "name", "from"};
    return absl::StrCat("<", kinds[static_cast<int>(use)], " ", path, ">");
  };
  EXPECT_EQ(KeyArguments({"--crate-name", "x", "--out-dir", "/t/o", "--out-dir=/t/p", "-L",
                          "dependency=/t/d", "-L/t/all", "--extern", "noprelude:y=/t/liby.rmeta",
                          "--remap-path-prefix=/a=b=/ws", "-C", "opt-level=3", "-g", "src/x.rs"},
                         tag),
            (std::vector<std::string>{
                "--crate-name", "x", "--out-dir", "<location /t/o>", "--out-dir=<location /t/p>",
                "-L", "dependency=<location /t/d>", "-L<location /t/all>", "--extern",
                "noprelude:y=<location /t/liby.rmeta>", "--remap-path-prefix=<from /a=b>=/ws", "-C",
                "opt-level=3", "-g", "<name src/x.rs>"}));
}

TEST(RustcArgsTest, RemapsKeepTheirOrderAndSplitAtTheLastEquals) {
  auto parsed =
      ParseRustcArgs({"--crate-name", "x", "--crate-type", "lib", "--out-dir", "o", "x.rs",
                      "--remap-path-prefix", "/a=b=/ws", "--remap-path-prefix=/c=."});
  ASSERT_TRUE(std::holds_alternative<RustcRequest>(parsed));
  EXPECT_EQ(std::get<RustcRequest>(parsed).remaps,
            (std::vector<std::pair<std::string, std::string>>{{"/a=b", "/ws"}, {"/c", "."}}));
}

}  // namespace
}  // namespace ddcc
