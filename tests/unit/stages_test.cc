#include "launcher/stages.h"

#include <string>
#include <utility>
#include <vector>

#include "gtest/gtest.h"
#include "temp_dir_test.h"

namespace ddcc {
namespace {

Digest KeyOf(uint8_t n) {
  Hasher hasher;
  hasher.Field(static_cast<uint64_t>(n));
  return hasher.Finish();
}

CompileOutcome Compiled(std::string out) {
  ProcessResult result;
  result.out = std::move(out);
  return result;
}

// Answers each stage as told, and writes down which ran, in order.
class FakeCall : public CachedCall {
 public:
  std::optional<CompileOutcome> refusal;
  std::optional<CompileOutcome> direct_hit;
  std::variant<Digest, KeyAfterCompile, CompileOutcome> keyed = KeyOf(1);
  std::optional<CompileOutcome> result_hit;
  std::vector<std::string> ran;
  std::optional<Digest> stored_under;
  std::string recorded;

  std::optional<CompileOutcome> KeyCommandLine() override {
    ran.push_back("key command line");
    return refusal;
  }
  std::optional<CompileOutcome> ServeDirect() override {
    ran.push_back("serve direct");
    return direct_hit;
  }
  std::variant<Digest, KeyAfterCompile, CompileOutcome> KeyInputs() override {
    ran.push_back("key inputs");
    return keyed;
  }
  std::optional<CompileOutcome> ServeResult(const Digest& key) override {
    ran.push_back("serve result");
    EXPECT_EQ(key, KeyOf(1));
    return result_hit;
  }
  CompileOutcome CompileAndStore(std::optional<Digest> key) override {
    ran.push_back("compile and store");
    stored_under = key;
    return Compiled("compiled");
  }
  void Record(const CompileOutcome& outcome) override {
    ran.push_back("record");
    if (auto* result = std::get_if<ProcessResult>(&outcome)) recorded = result->out;
    if (auto* refused = std::get_if<NotCacheable>(&outcome)) recorded = refused->detail;
  }
};

TEST(StagesTest, AMissRunsEveryStageAndStoresUnderTheInputsKey) {
  FakeCall call;
  CompileOutcome outcome = RunStages(call);
  EXPECT_EQ(std::get<ProcessResult>(outcome).out, "compiled");
  EXPECT_EQ(call.ran, (std::vector<std::string>{"key command line", "serve direct", "key inputs",
                                                "serve result", "compile and store", "record"}));
  EXPECT_EQ(call.stored_under, KeyOf(1));
  EXPECT_EQ(call.recorded, "compiled");
}

TEST(StagesTest, ADirectHitListsNoInputs) {
  FakeCall call;
  call.direct_hit = Compiled("direct");
  EXPECT_EQ(std::get<ProcessResult>(RunStages(call)).out, "direct");
  EXPECT_EQ(call.ran, (std::vector<std::string>{"key command line", "serve direct", "record"}));
  EXPECT_EQ(call.recorded, "direct");
}

TEST(StagesTest, AResultHitDoesNotCompile) {
  FakeCall call;
  call.result_hit = Compiled("stored");
  EXPECT_EQ(std::get<ProcessResult>(RunStages(call)).out, "stored");
  EXPECT_EQ(call.ran, (std::vector<std::string>{"key command line", "serve direct", "key inputs",
                                                "serve result", "record"}));
}

TEST(StagesTest, ARefusalEndsTheCallAndIsRecorded) {
  FakeCall call;
  call.refusal = NotCacheable{Uncacheable::kUnsupportedOption, "-fplugin=x.so"};
  EXPECT_TRUE(std::holds_alternative<NotCacheable>(RunStages(call)));
  EXPECT_EQ(call.ran, (std::vector<std::string>{"key command line", "record"}));
  EXPECT_EQ(call.recorded, "-fplugin=x.so");
}

TEST(StagesTest, AFailureListingTheInputsEndsTheCall) {
  FakeCall call;
  call.keyed = NotCacheable{Uncacheable::kPreprocessorFailed, "no such header"};
  EXPECT_TRUE(std::holds_alternative<NotCacheable>(RunStages(call)));
  EXPECT_EQ(call.ran,
            (std::vector<std::string>{"key command line", "serve direct", "key inputs", "record"}));
}

TEST(StagesTest, AKindThatKeysAfterTheCompileIsNotLookedUpFirst) {
  FakeCall call;
  call.keyed = KeyAfterCompile{};
  EXPECT_EQ(std::get<ProcessResult>(RunStages(call)).out, "compiled");
  EXPECT_EQ(call.ran, (std::vector<std::string>{"key command line", "serve direct", "key inputs",
                                                "compile and store", "record"}));
  EXPECT_EQ(call.stored_under, std::nullopt);
}

class ParseCallTest : public TempDirTest {
 protected:
  ParsedCall Parse(const Compiler& compiler, std::vector<std::string> args) {
    args_ = std::move(args);
    config_.cache_dir = dir_;
    return ParseCall({compiler, args_, config_, env_, tally_});
  }

  std::vector<std::string> args_;
  Config config_;
  EnvLookup env_ = [](const char*) -> const char* { return nullptr; };
  Tally tally_;
};

TEST_F(ParseCallTest, EachKindTakesItsCompilers) {
  Compiler gcc{.path = "/usr/bin/gcc", .name = "gcc", .family = Family::kGcc};
  EXPECT_TRUE(std::holds_alternative<std::unique_ptr<CachedCall>>(Parse(gcc, {"-c", "a.c"})));
  EXPECT_EQ(tally_.language, Language::kC);

  Compiler rustc{.path = "/usr/bin/rustc", .name = "rustc", .family = std::nullopt, .rustc = true};
  EXPECT_TRUE(std::holds_alternative<std::unique_ptr<CachedCall>>(
      Parse(rustc, {"--crate-name", "a", "--crate-type", "lib", "--emit=link", "src/lib.rs",
                    "--out-dir", dir_})));
  EXPECT_EQ(tally_.language, Language::kRust);
}

TEST_F(ParseCallTest, WhatNoKindTakesIsNotCached) {
  Compiler gcc{.path = "/usr/bin/gcc", .name = "gcc", .family = Family::kGcc};
  ParsedCall link = Parse(gcc, {"a.o", "-o", "a"});
  ASSERT_TRUE(std::holds_alternative<NotCacheable>(link));
  EXPECT_EQ(std::get<NotCacheable>(link).reason, Uncacheable::kCalledForLink);

  Compiler other{.path = "/usr/bin/tcc", .name = "tcc", .family = std::nullopt};
  ParsedCall unknown = Parse(other, {"-c", "a.c"});
  ASSERT_TRUE(std::holds_alternative<NotCacheable>(unknown));
  EXPECT_EQ(std::get<NotCacheable>(unknown).reason, Uncacheable::kUnsupportedCompiler);
}

}  // namespace
}  // namespace ddcc
