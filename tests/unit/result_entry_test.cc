#include "launcher/result_entry.h"

#include <fstream>

#include "absl/strings/str_cat.h"
#include "cache/util/files.h"
#include "gtest/gtest.h"
#include "launcher/blob_kind.h"
#include "launcher/content_scan.h"
#include "launcher/depfile.h"
#include "launcher/expanded_time.h"
#include "tests/unit/temp_dir_test.h"

namespace ddcc {
namespace {

// A gcc compile of x.c in dir_ (a base directory) writing x.o and its dependency file.
class ResultEntryTest : public TempDirTest {
 protected:
  CompileRequest Request(const std::string& object) const {
    CompileRequest request;
    request.language = std::string(1, 'c');  // gcc 12 warns of "c" (-Wrestrict, its bug 105329)
    request.source = absl::StrCat(dir_, "/x.c");
    request.object = absl::StrCat(dir_, "/", object);
    request.generates_deps = true;
    request.dep_file = absl::StrCat(dir_, "/x.d");
    request.dep_targets = {request.object};
    return request;
  }

  std::string Depfile(const CompileRequest& request) const {
    return LayOut({.targets = request.dep_targets,
                   .prerequisites = {dir_ + "/x.c", dir_ + "/include/x.h", "/usr/include/stdio.h"}},
                  Family::kGcc);
  }

  // The entry a compile writing `object` stores.
  Entry Made(const CompileRequest& request, const PathRewriter& paths) {
    const ResultEntry results(request, Family::kGcc, paths);
    CompileOutputs outputs(request);
    std::ofstream(outputs.object(), std::ios::binary) << "object bytes";
    std::ofstream(outputs.dep_file(), std::ios::binary) << Depfile(request);
    const ProcessResult compiled{.exit_code = 0, .term_signal = 0, .out = "out", .err = "warning"};
    absl::StatusOr<Entry> entry =
        results.Make(compiled, outputs, NowNs(), 1'000'000, ObjectDirMove::kNever);
    EXPECT_TRUE(entry.ok()) << entry.status();
    return entry.value_or(Entry{});
  }
};

// Served for another object name, of another length: the dependency file as gcc writes it
// for that target, the object and the messages as stored.
TEST_F(ResultEntryTest, ServesTheStoredResultForThisCompilesTargets) {
  const PathRewriter paths({dir_}, dir_, dir_);
  const Entry entry = Made(Request("x.o"), paths);

  const CompileRequest other = Request("a/much/longer/name.o");
  ASSERT_TRUE(MakeDirs(dir_ + "/a/much/longer").ok());
  absl::StatusOr<ProcessResult> served = ResultEntry(other, Family::kGcc, paths).Serve(entry);
  ASSERT_TRUE(served.ok()) << served.status();
  EXPECT_EQ(served->out, "out");
  EXPECT_EQ(served->err, "warning");
  EXPECT_EQ(ReadFile(other.object).value_or(""), "object bytes");
  EXPECT_EQ(ReadFile(other.dep_file).value_or(""), Depfile(other));
}

// An object naming a path below the base directory is kept to its directory, but not for the
// directory a hit renames, or a path the keyed text holds outside its line markers.
TEST_F(ResultEntryTest, AnObjectNamingTheTree) {
  const PathRewriter paths({"/base"}, "/base/t1/build", "/base/t1/build");
  const ResultEntry results(Request("x.o"), Family::kGcc, paths);
  const auto entry = [](std::string object, const char* renamed) {
    Entry made;
    made.Add(blob::kObject, std::move(object));
    if (renamed) made.Add(blob::kObjectDir, renamed);
    return made;
  };
  const std::string text = "# 1 \"/base/t1/inc/h.h\" 1\nconst char *f = \"/base/t1/src/x.c\";\n";
  EXPECT_TRUE(
      results.ObjectNamesTree(entry("(lambda at /base/t1/inc/h.h:2:45)", nullptr), text, false));
  // Where the key holds the markers as written, their paths count as the text's.
  EXPECT_FALSE(
      results.ObjectNamesTree(entry("(lambda at /base/t1/inc/h.h:2:45)", nullptr), text, true));
  EXPECT_TRUE(results.ObjectNamesTree(entry("/base/t1/build ", nullptr), text, false));
  // From another depth the same relative form names another file.
  EXPECT_TRUE(results.ObjectNamesTree(entry("/base/lib/h.h", nullptr), text, false));
  EXPECT_FALSE(results.ObjectNamesTree(
      entry(std::string("/base/t1/src/x.c\0;/base/t1/src/x.c;main;", 40), nullptr), text, false));
  EXPECT_TRUE(results.ObjectNamesTree(entry("/base/t1/src/x.c.in", nullptr), text, false));
  EXPECT_FALSE(results.ObjectNamesTree(entry("/base/t1/build /base/t1/build/x.c", "/base/t1/build"),
                                       text, false));
  EXPECT_TRUE(results.ObjectNamesTree(entry("/base/t1/build /base/t1/inc/h.h", "/base/t1/build"),
                                      text, false));
  EXPECT_FALSE(ResultEntry(Request("x.o"), Family::kGcc, PathRewriter({}, "/base/t1", "/base/t1"))
                   .ObjectNamesTree(entry("/base/t1/x.c", nullptr), text, false));
}

// A result made with __DATE__ fits only its day; an entry missing a part is damaged.
TEST_F(ResultEntryTest, ADayOldDateOrAMissingPartIsNoHit) {
  const PathRewriter paths({}, dir_, dir_);
  const CompileRequest request = Request("x.o");
  const ResultEntry results(request, Family::kGcc, paths);
  Entry entry = Made(request, paths);
  ASSERT_TRUE(results.Serve(entry).ok());

  Entry dated = entry;
  ResultEntry::KeepToDay(dated, "\"Jan  1 1970\"");
  EXPECT_TRUE(ResultEntry::IsMismatch(results.Serve(dated).status()));
  ResultEntry::KeepToDay(entry, DateMacroExpansion(NowNs()));
  EXPECT_TRUE(results.Serve(entry).ok());

  Entry partial;
  partial.blobs.push_back(entry.blobs.front());  // the object alone
  EXPECT_TRUE(absl::IsDataLoss(results.Serve(partial).status()));
  EXPECT_EQ(ResultEntry::CompileTimeNs(entry), 1'000'000);
}

}  // namespace
}  // namespace ddcc
