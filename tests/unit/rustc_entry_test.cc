#include "launcher/rustc_entry.h"

#include <gtest/gtest.h>

#include "cache/util/files.h"
#include "launcher/blob_kind.h"
#include "tests/unit/temp_dir_test.h"

namespace ddcc {
namespace {

class RustcEntryTest : public TempDirTest {
 protected:
  // A library crate's outputs in `<dir_>/<tree>/target`, as rustc writes them there.
  RustcRequest Written(const std::string& tree) {
    RustcRequest request;
    request.crate_name = "a";
    request.extra_filename = "-1";
    request.emit = {"dep-info", "metadata", "link"};
    request.out_dir = dir_ + "/" + tree + "/target";
    std::filesystem::create_directories(request.out_dir);
    const std::string& out = request.out_dir;
    EXPECT_TRUE(
        WriteFileAtomic(out + "/a-1.d", out + "/liba-1.rlib: src/lib.rs\n\nsrc/lib.rs:\n").ok());
    EXPECT_TRUE(WriteFileAtomic(out + "/liba-1.rmeta", std::string("meta\0data", 9)).ok());
    EXPECT_TRUE(WriteFileAtomic(out + "/liba-1.rlib", "rlib").ok());
    return request;
  }
};

TEST_F(RustcEntryTest, OutputsComeBackAsWritten) {
  RustcRequest request = Written("one");
  const PathRewriter inactive({}, dir_ + "/one", dir_ + "/one");
  absl::StatusOr<Entry> entry = RustcEntry(
      request, RustcProduced{"out", "warning: x\n", 12, "A=1\n"}, inactive, "made in one");
  ASSERT_TRUE(entry.ok()) << entry.status();
  EXPECT_EQ(entry->Find(blob::kMadeIn), nullptr);  // no base directory: nothing names a tree

  std::optional<RustcRestored> restored = RestoreRustcEntry(*entry, request, dir_ + "/one");
  ASSERT_TRUE(restored.has_value());
  ASSERT_EQ(restored->files.size(), 3u);
  for (const auto& [path, content] : restored->files) {
    EXPECT_EQ(content.text(), *ReadFile(path)) << path;
  }
  EXPECT_EQ(restored->out.text(), "out");
  EXPECT_EQ(restored->err.text(), "warning: x\n");
  EXPECT_EQ(*entry->Find(blob::kCompileTime), "12");
  EXPECT_EQ(*entry->Find(blob::kEnvironmentRead), "A=1\n");
}

TEST_F(RustcEntryTest, DepInfoIsLaidOutForAnotherTree) {
  RustcRequest request = Written("one");
  const PathRewriter base({dir_}, dir_ + "/one", dir_ + "/one");
  absl::StatusOr<Entry> entry =
      RustcEntry(request, RustcProduced{"", "", 1, ""}, base, "made in one");
  ASSERT_TRUE(entry.ok()) << entry.status();

  RustcRequest elsewhere = request;
  elsewhere.out_dir = dir_ + "/two/target";
  std::optional<RustcRestored> restored = RestoreRustcEntry(*entry, elsewhere, dir_ + "/two");
  ASSERT_TRUE(restored.has_value());
  EXPECT_EQ(restored->files[0].first, dir_ + "/two/target/a-1.d");
  EXPECT_EQ(restored->files[0].second.text(),
            dir_ + "/two/target/liba-1.rlib: src/lib.rs\n\nsrc/lib.rs:\n");
}

TEST_F(RustcEntryTest, AnEntryMissingAnOutputRestoresNothing) {
  RustcRequest request = Written("one");
  const PathRewriter inactive({}, dir_ + "/one", dir_ + "/one");
  absl::StatusOr<Entry> entry = RustcEntry(request, RustcProduced{}, inactive, "");
  ASSERT_TRUE(entry.ok()) << entry.status();
  Entry partial;
  for (const Blob& blob : entry->blobs) {
    if (blob.name != "liba-1.rlib") partial.Add(blob.kind, blob.name, blob.content);
  }
  EXPECT_FALSE(RestoreRustcEntry(partial, request, dir_ + "/one").has_value());
}

TEST_F(RustcEntryTest, AMissingOutputFileStoresNothing) {
  RustcRequest request = Written("one");
  std::filesystem::remove(request.out_dir + "/liba-1.rlib");
  const PathRewriter inactive({}, dir_ + "/one", dir_ + "/one");
  EXPECT_FALSE(RustcEntry(request, RustcProduced{}, inactive, "").ok());
}

}  // namespace
}  // namespace ddcc
