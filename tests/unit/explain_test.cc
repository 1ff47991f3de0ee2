#include "launcher/explain.h"

#include <sys/stat.h>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "launcher/keys.h"
#include "tests/unit/temp_dir_test.h"

namespace ddcc {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

// A transcript as KeyMaker writes it, for the arguments given, with the labels it uses.
std::string Transcript(const std::vector<std::string>& args, const std::string& extra = "") {
  const std::string argument(key_label::kArgument);
  const std::string preprocessor_argument(key_label::kPreprocessorArgument);
  std::string text = "# direct key\nformat: 2\ncompiler: /usr/bin/gcc 1234\n";
  text += argument + " count: " + std::to_string(args.size()) + "\n";
  for (const std::string& arg : args) text += argument + ": " + arg + "\n";
  text += preprocessor_argument + " count: " + std::to_string(args.size() + 1) + "\n";
  for (const std::string& arg : args) text += preprocessor_argument + ": " + arg + "\n";
  text += preprocessor_argument + ": main.c\n" + std::string(key_label::kEnvPrefix) +
          "LANG: unset\n" + std::string(key_label::kSource) + ": main.c 00aa\n";
  return text + extra;
}

TEST(DiffTranscriptsTest, SameInputsShowNothing) {
  EXPECT_THAT(DiffTranscripts(Transcript({"-O2"}), Transcript({"-O2"})), IsEmpty());
}

// An argument shows once, though both the compile and the preprocessing arguments hold it.
TEST(DiffTranscriptsTest, ArgumentsAddedAndRemoved) {
  EXPECT_THAT(DiffTranscripts(Transcript({"-O1", "-g"}), Transcript({"-g", "-O2", "-DX=1"})),
              ElementsAre("argument added: -O2", "argument added: -DX=1", "argument removed: -O1"));
}

TEST(DiffTranscriptsTest, RepeatedArgumentsCount) {
  EXPECT_THAT(DiffTranscripts(Transcript({"-Wall", "-Wall"}), Transcript({"-Wall"})),
              ElementsAre("argument removed: -Wall"));
}

TEST(DiffTranscriptsTest, SingleValuesChanged) {
  std::string before = Transcript({});
  std::string last = before;
  last.replace(last.find("00aa"), 4, "00bb");
  last.replace(last.find("LANG: unset"), 11, "LANG: =C");
  last.replace(last.find("1234"), 4, "5678");
  EXPECT_THAT(DiffTranscripts(before, last),
              ElementsAre("compiler changed: /usr/bin/gcc 1234 -> /usr/bin/gcc 5678",
                          "environment variable LANG changed: unset -> =C",
                          "source changed content: main.c"));
}

// A comment edited in a header changes no text, but the file's bytes: the file is named.
TEST(DiffTranscriptsTest, FilesReadNamedByTheOnesThatChanged) {
  const std::string read = std::string(key_label::kFileRead) + ": ";
  auto with_files = [&](const std::string& header_digest) {
    return Transcript({}, "# result key\n" + read + "main.c 00aa\n" + read + "util.h " +
                              header_digest + "\n" + read + "other.h 00cc\n");
  };
  EXPECT_THAT(DiffTranscripts(with_files("00bb"), with_files("00dd")),
              ElementsAre("file changed content: util.h"));
}

TEST(DiffTranscriptsTest, LinesOnOneSideOnly) {
  EXPECT_THAT(DiffTranscripts(Transcript({}), Transcript({}, "working directory: /b\n")),
              ElementsAre("working directory changed: (none) -> /b"));
  EXPECT_THAT(DiffTranscripts(Transcript({}, "working directory: /a\n"), Transcript({})),
              ElementsAre("working directory changed: /a -> (none)"));
}

// A direct hit computes no result key, so only the direct key compares with it.
TEST(DiffTranscriptsTest, ComparesTheSectionsBothHave) {
  std::string result = "# result key\npreprocessed text: 77 (10 bytes)\n";
  std::string other = "# result key\npreprocessed text: 88 (12 bytes)\n";
  EXPECT_THAT(DiffTranscripts(Transcript({}), Transcript({}, result)), IsEmpty());
  EXPECT_THAT(DiffTranscripts(Transcript({}, result), Transcript({}, other)),
              ElementsAre(HasSubstr("preprocessed text changed")));
}

TEST(ExplainRecordTest, DescribeOutcome) {
  ProcessResult ok{.exit_code = 0, .term_signal = 0, .out = "", .err = ""};
  ProcessResult failed{.exit_code = 1, .term_signal = 0, .out = "", .err = "error"};
  EXPECT_EQ(DescribeOutcome(ok, kDirectHit), kDirectHit);
  EXPECT_EQ(DescribeOutcome(ok, ""), kMiss);
  EXPECT_THAT(DescribeOutcome(failed, ""), HasSubstr("failed"));
  EXPECT_THAT(DescribeOutcome(NotCacheable{Uncacheable::kUnsupportedCodeDirective, ".incbin"}, ""),
              HasSubstr("not cacheable (unsupported_code_directive): .incbin"));
}

TEST(ExplainRecordTest, EncodeDecodeRoundTrip) {
  ExplainRecord record{"miss", {"direct lookup: a.h changed content"}, Transcript({"-O2"}), {}};
  record.call = CallFacts{.started_ns = 1'700'000'000'000'000'000,
                          .took_ns = 12'345,
                          .saved_ms = 7,
                          .object = "/w/main.o",
                          .source = "main.c",
                          .cwd = "/w",
                          .build_id = "ci-42",
                          .inputs = {"/w/a.o", "/w/b.o"}};
  EXPECT_EQ(DecodeRecord(EncodeRecord(record)), record);
  ExplainRecord bare{"not cacheable (x): y", {}, "", {}};
  EXPECT_EQ(DecodeRecord(EncodeRecord(bare)), bare);
}

// Records of earlier versions have no call facts; a damaged line leaves them unset.
TEST(ExplainRecordTest, CallFactsMissingOrDamagedReadAsNone) {
  ExplainRecord old = DecodeRecord("outcome: miss\n# direct key\nformat: 2\n");
  EXPECT_EQ(old.call, CallFacts{});
  EXPECT_EQ(DecodeRecord("outcome: miss\ncall: 12 x 3\n").call, CallFacts{});
}

TEST(ExplainRecordTest, TellsAlikeLeavesWhenAndWhereAside) {
  ExplainRecord a{"direct hit", {}, Transcript({"-O2"}), {}};
  ExplainRecord b = a;
  b.call.started_ns = 5;
  b.call.cwd = "/elsewhere";
  EXPECT_TRUE(a.TellsAlike(b));
  b.notes.push_back("x");
  EXPECT_FALSE(a.TellsAlike(b));
}

TEST(MissReasonTest, NamesTheChangedHeaderFirst) {
  ExplainRecord before{"direct hit", {}, Transcript({"-O2"}), {}};
  ExplainRecord last{"miss", {"direct lookup: inc/a.h changed content"}, Transcript({"-O3"}), {}};
  EXPECT_EQ(MissReason(last, &before, false), "inc/a.h changed content");
  last.notes.clear();
  EXPECT_EQ(MissReason(last, &before, false), "argument added: -O3");
  EXPECT_THAT(MissReason(last, nullptr, false), HasSubstr("first compile"));
  last.notes.emplace_back(kNoManifestNote);
  EXPECT_THAT(MissReason(last, nullptr, false), HasSubstr("first compile"));
  last.notes.emplace_back("DDCC_RECACHE: compiled without a lookup");
  EXPECT_EQ(MissReason(last, nullptr, false), "DDCC_RECACHE: compiled without a lookup");
}

TEST(MissReasonTest, SaysWhyANewDirectoryMissed) {
  const std::string why(key_label::kWhyCwd);
  ExplainRecord other{
      "miss", {}, Transcript({"-g"}, "working directory: /a\n" + why + ": -g\n"), {}};
  other.call.object = "/a/m.o";
  ExplainRecord last{
      "miss", {}, Transcript({"-g"}, "working directory: /b\n" + why + ": -g\n"), {}};
  EXPECT_EQ(MissReason(last, &other, true),
            "first compile here; against /a/m.o: another working directory, which the key holds "
            "because -g");
}

TEST(CompileElsewhereTest, PrefersTheSameFileThenSpellingThenObjectName) {
  auto record = [](std::string object, std::string source, std::string cwd) {
    ExplainRecord r{"miss", {}, "# direct key\n", {}};
    r.call.object = std::move(object);
    r.call.source = std::move(source);
    r.call.cwd = std::move(cwd);
    return r;
  };
  ExplainRecord last = record("/b/build/m.o", "m.c", "/b");
  ExplainRecord other_name = record("/c/x.o", "src/m.c", "/c");
  ExplainRecord spelled_alike = record("/a/build/m.o", "m.c", "/a");
  ExplainRecord unrelated = record("/a/build/n.o", "n.c", "/a");
  ExplainRecord same_file = record("/b/other/q.o", "/b/m.c", "/b");
  EXPECT_EQ(CompileElsewhere({&other_name, &spelled_alike, &unrelated}, last), &spelled_alike);
  EXPECT_EQ(CompileElsewhere({&same_file, &spelled_alike}, last), &same_file);
  EXPECT_EQ(CompileElsewhere({&unrelated, &last}, last), nullptr);
  // Only the source's name in common: another library's m.c, another crate's lib.rs.
  EXPECT_EQ(CompileElsewhere({&other_name}, last), nullptr);
}

TEST(BaseDirHintTest, ProposesTheDirectoryAboveBothUnlessItCannotHelp) {
  ExplainRecord last{"miss", {}, Transcript({}), {}};
  last.call.cwd = "/home/u/pip-2";
  ExplainRecord other = last;
  other.call.cwd = "/home/u/pip-1";
  EXPECT_THAT(BaseDirHint({}, last, other), HasSubstr("below /home/u: with base_dir"));
  EXPECT_EQ(BaseDirHint({"/home"}, last, other), "");
  other.call.cwd = "/home/u/pip-2/sub";  // one directory holds the other
  EXPECT_THAT(BaseDirHint({}, last, other), HasSubstr("below /home/u/pip-2: with base_dir"));
  other.call.cwd = "/home/u/pip-22";
  EXPECT_THAT(BaseDirHint({}, last, other), HasSubstr("below /home/u: with base_dir"));
  other.call.cwd = "/home/u/pip-1";
  other.call.cwd = "/srv/x";
  EXPECT_EQ(BaseDirHint({}, last, other), "");  // only "/" is above both
  other.call.cwd = "/home/u/pip-1";
  last.transcript += std::string(key_label::kWhyCwd) + ": -g\n";
  EXPECT_EQ(BaseDirHint({}, last, other), "");
}

TEST(ExplainTextTest, HitSaysHowAndMissSaysWhy) {
  ExplainRecord hit{"direct hit", {}, Transcript({}), {}};
  EXPECT_THAT(ExplainText("/w/main.o", hit, std::nullopt),
              HasSubstr("Last compile of /w/main.o: hit (direct)"));

  ExplainRecord miss{"miss", {"direct lookup: /w/a.h changed content"}, Transcript({"-DX"}), {}};
  std::string text = ExplainText("/w/main.o", miss, hit);
  EXPECT_THAT(text, HasSubstr("miss"));
  EXPECT_THAT(text, HasSubstr("/w/a.h changed content"));
  EXPECT_THAT(text, HasSubstr("Compared with the compile before it (direct hit)"));
  EXPECT_THAT(text, HasSubstr("argument added: -DX"));

  EXPECT_THAT(ExplainText("/w/main.o", miss, std::nullopt), HasSubstr("No earlier compile"));
  // Equal inputs: after a direct hit that computed less, or when the entry went away.
  ExplainRecord header{"miss",
                       {"direct lookup: /w/a.h changed content"},
                       Transcript({}, "# result key\npreprocessed text: 77 (10 bytes)\n"),
                       {}};
  EXPECT_THAT(ExplainText("/w/main.o", header, hit), HasSubstr("computed no other key"));
  EXPECT_THAT(ExplainText("/w/main.o", header, header), HasSubstr("no input of the keys changed"));
  EXPECT_THAT(ExplainText("/w/main.o", hit, miss), Not(HasSubstr("Compared")));
  // A preprocessed hit ran the preprocessor: the compile before shows why the direct key missed.
  ExplainRecord preprocessed{"preprocessed hit", {}, Transcript({"-DX"}), {}};
  EXPECT_THAT(ExplainText("/w/main.o", preprocessed, hit), HasSubstr("argument added: -DX"));
  ExplainRecord same{"preprocessed hit", {}, Transcript({}), {}};
  EXPECT_THAT(ExplainText("/w/main.o", same, hit), Not(HasSubstr("Compared")));
}

class SaveRecordTest : public TempDirTest {
 protected:
  void Save(LocalStore& store, const Digest& key, const ExplainRecord& record) {
    ASSERT_TRUE(AppendRecord(store, key, record, 1).ok());
  }
};

TEST_F(SaveRecordTest, KeepsTheLastAndTheOneBefore) {
  LocalStore store(dir_ + "/cache", {});
  Digest key = ExplainKey("/w/main.o");
  EXPECT_TRUE(absl::IsNotFound(LoadRecords(store, key).status()));
  ExplainRecord first{"miss", {}, Transcript({"-O1"}), {}};
  ExplainRecord hit{"direct hit", {}, Transcript({"-O1"}), {}};
  ExplainRecord refused{"not cacheable (x): y", {}, "", {}};
  ExplainRecord second{"miss", {}, Transcript({"-O2"}), {}};
  Save(store, key, first);
  Save(store, key, hit);
  Save(store, key, hit);      // a repeat is not the one before
  Save(store, key, refused);  // the hit stays the one before
  Save(store, key, second);   // and `refused` has no keys to compare
  Save(store, ExplainKey("/w/other.o"), refused);
  absl::StatusOr<ExplainRecords> records = LoadRecords(store, key);
  ASSERT_TRUE(records.ok());
  EXPECT_EQ(records->last, second);
  EXPECT_EQ(records->before, hit);

  Save(store, key, second);  // a rebuild that missed again compares with the hit, not itself
  records = LoadRecords(store, key);
  ASSERT_TRUE(records.ok());
  EXPECT_EQ(records->before, hit);

  // Every record is in the journal: no entry file of its own.
  EXPECT_EQ(store.Usage()->files, 0u);
}

TEST_F(SaveRecordTest, ObjectIdentityResolvesTheDirectory) {
  ASSERT_EQ(mkdir((dir_ + "/real").c_str(), 0755), 0);
  ASSERT_EQ(symlink((dir_ + "/real").c_str(), (dir_ + "/link").c_str()), 0);
  std::string real = ObjectIdentity(dir_, "real/main.o");
  EXPECT_EQ(ObjectIdentity(dir_ + "/link", "main.o"), real);
  EXPECT_EQ(ObjectIdentity("/elsewhere", real), real);
  EXPECT_EQ(ObjectIdentity(dir_, "gone/main.o"), dir_ + "/gone/main.o");
}

}  // namespace
}  // namespace ddcc
