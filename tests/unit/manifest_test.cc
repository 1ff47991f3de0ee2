#include "cache/store/manifest.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>

#include "gtest/gtest.h"
#include "tests/unit/temp_dir_test.h"

namespace ddcc {
namespace {

constexpr int64_t kHour = 3600'000'000'000;

Digest ResultKey(int n) {
  Hasher hasher;
  hasher.Field(n);
  return hasher.Finish();
}

class ManifestTest : public TempDirTest {
 protected:
  std::string Write(const std::string& name, const std::string& content, int64_t age_ns = kHour) {
    std::string path = dir_ + "/" + name;
    std::ofstream(path, std::ios::binary) << content;
    SetAge(path, age_ns);
    return path;
  }

  // The manifest's one set, with its one file touched, matched an hour later and restamped,
  // then encoded and decoded: an error unless exactly that file was restamped.
  static absl::StatusOr<Manifest> RestampedOnce(Manifest manifest) {
    Manifest::Restamps restamps;
    if (manifest.Match(NowNs() + kHour, &restamps) != ResultKey(1) || restamps.files.size() != 1) {
      return absl::InternalError("not restamped");
    }
    manifest.Restamp(restamps);
    return Manifest::Decode(manifest.Encode());
  }

  void SetAge(const std::string& path, int64_t age_ns) {
    int64_t when = NowNs() - age_ns;
    struct timespec times[2] = {{when / 1000000000, when % 1000000000},
                                {when / 1000000000, when % 1000000000}};
    ASSERT_EQ(utimensat(AT_FDCWD, path.c_str(), times, 0), 0);
  }

  // An include set recorded an hour from now: setting a file's times makes its ctime now, and
  // ctime cannot be set back.
  IncludeSet Record(const std::vector<std::string>& files, const std::vector<std::string>& absent,
                    int result) {
    IncludeSetBuilder builder(NowNs() + kHour, NowNs() + kHour);
    for (const std::string& file : files) EXPECT_TRUE(builder.AddFile(file).ok()) << file;
    for (const std::string& path : absent) EXPECT_TRUE(builder.AddCandidate(path).ok()) << path;
    return std::move(builder).Finish(ResultKey(result));
  }
};

TEST_F(ManifestTest, MatchesWhileFilesAreUnchanged) {
  std::string header = Write("a.h", "int a;");
  Manifest manifest;
  manifest.Add(Record({header}, {}, 1));
  EXPECT_EQ(manifest.Match(), ResultKey(1));
  Write("a.h", "int b;");
  EXPECT_EQ(manifest.Match(), std::nullopt);
  std::remove(header.c_str());
  EXPECT_EQ(manifest.Match(), std::nullopt);
}

// A trusted stamp only stands for the content it was taken with: a rewrite with the same size
// and mtime changes ctime, so the file is hashed and the change seen.
TEST_F(ManifestTest, SameSizeAndMtimeButNewContentIsSeen) {
  std::string header = Write("a.h", "int a;");
  struct stat before;
  ASSERT_EQ(stat(header.c_str(), &before), 0);
  Manifest manifest;
  manifest.Add(Record({header}, {}, 1));
  ASSERT_TRUE(manifest.sets()[0].files[0].stamp_trusted);
  Write("a.h", "int b;");
  struct timespec times[2] = {before.st_mtim, before.st_mtim};
  ASSERT_EQ(utimensat(AT_FDCWD, header.c_str(), times, 0), 0);
  EXPECT_EQ(manifest.Match(), std::nullopt);
}

TEST_F(ManifestTest, RecentFilesAreNotTrustedByStamp) {
  std::string header = Write("a.h", "int a;", /*age_ns=*/kStampTrustNs / 4);
  IncludeSetBuilder builder(NowNs() + kHour, NowNs());  // a compile that began later
  ASSERT_TRUE(builder.AddFile(header).ok());
  EXPECT_FALSE(std::move(builder).Finish(ResultKey(1)).files[0].stamp_trusted);
}

TEST_F(ManifestTest, ATouchedFileIsRestampedOnce) {
  std::string header = Write("a.h", "int a;");
  std::string other = Write("b.h", "int b;");
  Manifest manifest;
  manifest.Add(Record({header, other}, {}, 1));
  const int64_t later = NowNs() + kHour;
  Manifest::Restamps restamps;
  EXPECT_EQ(manifest.Match(later, &restamps), ResultKey(1));
  EXPECT_TRUE(restamps.empty());

  SetAge(header, kHour / 2);  // touched: same content, another mtime
  EXPECT_EQ(manifest.Match(later, &restamps), ResultKey(1));
  ASSERT_EQ(restamps.files.size(), 1u);
  EXPECT_EQ(restamps.files[0].first, 0u);
  EXPECT_EQ(restamps.files[0].second, *StampFile(header));
  // Just touched, its ctime is now: not trusted yet.
  EXPECT_EQ(manifest.Match(NowNs(), &restamps), ResultKey(1));
  EXPECT_TRUE(restamps.empty());

  EXPECT_EQ(manifest.Match(later, &restamps), ResultKey(1));
  manifest.Restamp(restamps);
  ASSERT_EQ(manifest.sets().size(), 1u);
  EXPECT_EQ(manifest.sets()[0].files[0].stamp, *StampFile(header));
  EXPECT_TRUE(manifest.sets()[0].files[0].stamp_trusted);
  EXPECT_EQ(manifest.Match(later, &restamps), ResultKey(1));
  EXPECT_TRUE(restamps.empty());

  Write("a.h", "int c;", kHour);  // the new stamp no longer vouches for it
  EXPECT_EQ(manifest.Match(later, &restamps), std::nullopt);
}

// A file tied to its real path matches while its name leads there: a link pointed at a file of
// the same content is a difference. The tie survives encoding and restamping.
TEST_F(ManifestTest, AFileTiedToItsRealPathMatchesOnlyWhileItLeadsThere) {
  std::string first = Write("first.h", "int a;");
  std::string second = Write("second.h", "int a;");
  std::string link = dir_ + "/link.h";
  ASSERT_EQ(symlink(first.c_str(), link.c_str()), 0);
  IncludeSetBuilder builder(NowNs() + kHour, NowNs() + kHour);
  ASSERT_TRUE(builder.AddFile(link).ok());
  ASSERT_TRUE(builder.KeepRealPath(link, first).ok());
  Manifest manifest;
  manifest.Add(std::move(builder).Finish(ResultKey(1)));
  ASSERT_EQ(manifest.sets()[0].files[0].real_path, first);
  EXPECT_EQ(manifest.Match(), ResultKey(1));

  Write("first.h", "int a;", kHour / 2);  // touched: restamped, still tied
  absl::StatusOr<Manifest> decoded = RestampedOnce(manifest);
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(decoded->sets()[0].files[0].real_path, first);
  EXPECT_TRUE(decoded->sets()[0].files[0].stamp_trusted);

  ASSERT_EQ(std::remove(link.c_str()), 0);
  ASSERT_EQ(symlink(second.c_str(), link.c_str()), 0);
  EXPECT_EQ(decoded->Match(), std::nullopt);
  ASSERT_TRUE(decoded->NewestMismatch().has_value());
  EXPECT_EQ(decoded->NewestMismatch()->kind, Mismatch::Kind::kRelinked);
}

// A file tied to the way it is reached, through no link, matches while no link lies on that way:
// a directory on it moved elsewhere and replaced by a link (the file keeps its stamp), or the
// file replaced by a link to itself, is a difference. The tie survives encoding and restamping;
// a file reached through a link cannot be so tied.
TEST_F(ManifestTest, AFileReachedThroughNoLinkMatchesOnlyWhileNoneLiesOnItsWay) {
  ASSERT_TRUE(MakeDirs(dir_ + "/sub/inner").ok());
  std::string header = Write("sub/inner/h.h", "int a;");
  IncludeSetBuilder builder(NowNs() + kHour, NowNs() + kHour);
  ASSERT_TRUE(builder.AddFile(header).ok());
  ASSERT_TRUE(builder.KeepLinkFree(header).ok());
  Manifest manifest;
  manifest.Add(std::move(builder).Finish(ResultKey(1)));
  ASSERT_TRUE(manifest.sets()[0].files[0].link_free);
  EXPECT_EQ(manifest.Match(), ResultKey(1));

  Write("sub/inner/h.h", "int a;", kHour / 2);  // touched: restamped, still tied
  const int64_t later = NowNs() + kHour;
  absl::StatusOr<Manifest> decoded = RestampedOnce(manifest);
  ASSERT_TRUE(decoded.ok());
  EXPECT_TRUE(decoded->sets()[0].files[0].link_free);
  EXPECT_TRUE(decoded->sets()[0].files[0].stamp_trusted);
  EXPECT_EQ(decoded->Match(later, nullptr), ResultKey(1));

  const std::string sub = dir_ + "/sub", moved = dir_ + "/moved";
  ASSERT_EQ(rename(sub.c_str(), moved.c_str()), 0);
  ASSERT_EQ(symlink(moved.c_str(), sub.c_str()), 0);
  EXPECT_EQ(decoded->Match(later, nullptr), std::nullopt);
  ASSERT_TRUE(decoded->NewestMismatch().has_value());
  EXPECT_EQ(decoded->NewestMismatch()->kind, Mismatch::Kind::kRelinked);

  ASSERT_EQ(std::remove(sub.c_str()), 0);
  ASSERT_EQ(rename(moved.c_str(), sub.c_str()), 0);
  EXPECT_EQ(decoded->Match(later, nullptr), ResultKey(1));
  const std::string kept = dir_ + "/kept.h";
  ASSERT_EQ(rename(header.c_str(), kept.c_str()), 0);
  ASSERT_EQ(symlink(kept.c_str(), header.c_str()), 0);
  EXPECT_EQ(decoded->Match(later, nullptr), std::nullopt);

  IncludeSetBuilder through_link(NowNs() + kHour, NowNs() + kHour);
  ASSERT_TRUE(through_link.AddFile(header).ok());
  EXPECT_TRUE(absl::IsFailedPrecondition(through_link.KeepLinkFree(header)));
}

// The set that matched is restamped and becomes the newest; the others are left as they were.
TEST_F(ManifestTest, RestampingAnOlderSetMakesItTheNewest) {
  std::string header = Write("a.h", "one");
  Manifest manifest;
  manifest.Add(Record({header}, {}, 1));
  Write("a.h", "two");
  manifest.Add(Record({header}, {}, 2));
  Write("a.h", "one", kHour / 2);
  const int64_t later = NowNs() + kHour;
  Manifest::Restamps restamps;
  EXPECT_EQ(manifest.Match(later, &restamps), ResultKey(1));
  EXPECT_EQ(restamps.set, 1u);
  manifest.Restamp(restamps);
  const std::vector<IncludeSet> sets = manifest.sets();
  ASSERT_EQ(sets.size(), 2u);
  EXPECT_EQ(sets[0].result, ResultKey(1));
  EXPECT_EQ(sets[0].files[0].stamp, *StampFile(header));
  EXPECT_EQ(sets[1].result, ResultKey(2));
  EXPECT_EQ(manifest.Match(later, &restamps), ResultKey(1));
  EXPECT_TRUE(restamps.empty());
  absl::StatusOr<Manifest> decoded = Manifest::Decode(manifest.Encode());
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(decoded->sets()[0].files, sets[0].files);
  EXPECT_EQ(decoded->sets()[1].files, sets[1].files);
}

TEST_F(ManifestTest, TheSameSetStampedOtherwiseReplacesTheOld) {
  std::string header = Write("a.h", "int a;");
  Manifest manifest;
  manifest.Add(Record({header}, {dir_ + "/absent.h"}, 1));
  SetAge(header, kHour / 2);
  manifest.Add(Record({header}, {dir_ + "/absent.h"}, 1));
  ASSERT_EQ(manifest.sets().size(), 1u);
  EXPECT_EQ(manifest.sets()[0].files[0].stamp, *StampFile(header));
  manifest.Add(Record({header}, {}, 1));  // says less: another set
  EXPECT_EQ(manifest.sets().size(), 2u);
}

// Another machine's manifest (a remote's) merged in: its sets come after this one's own, the
// sets both hold once, and what matches only there is found.
TEST_F(ManifestTest, MergedSetsComeAfterOnesOwn) {
  std::string a = Write("a.h", "int a;");
  std::string b = Write("b.h", "int b;");
  Manifest ours;
  ours.Add(Record({a}, {}, 1));
  Manifest theirs;
  theirs.Add(Record({a}, {}, 1));
  theirs.Add(Record({b}, {}, 2));
  std::remove(a.c_str());
  EXPECT_EQ(ours.Match(), std::nullopt);
  ours.Merge(theirs);
  ASSERT_EQ(ours.sets().size(), 2u);
  EXPECT_EQ(ours.sets()[0].result, ResultKey(1));
  EXPECT_EQ(ours.sets()[1].result, ResultKey(2));
  EXPECT_EQ(ours.Match(), ResultKey(2));
}

// A full manifest (a header edited over weeks) still takes another machine's sets: its oldest
// make room for up to half of them.
TEST_F(ManifestTest, AFullManifestMakesRoomForMergedSets) {
  std::string a = Write("a.h", "int a;");
  Manifest ours;
  for (int i = 0; i < static_cast<int>(Manifest::kMaxSets); ++i) {
    ours.Add(Record({a}, {dir_ + "/absent" + std::to_string(i) + ".h"}, 100 + i));
  }
  Manifest theirs;
  for (int i = 0; i < static_cast<int>(Manifest::kMaxSets); ++i) {
    theirs.Add(Record({a}, {dir_ + "/theirs" + std::to_string(i) + ".h"}, 200 + i));
  }
  ours.Merge(theirs);
  const std::vector<IncludeSet> sets = ours.sets();
  ASSERT_EQ(sets.size(), Manifest::kMaxSets);
  EXPECT_EQ(sets.front().result, ResultKey(100 + Manifest::kMaxSets - 1));  // our newest first
  EXPECT_EQ(sets[Manifest::kMaxSets / 2].result, ResultKey(200 + Manifest::kMaxSets - 1));
}

TEST_F(ManifestTest, FileChangedDuringTheCompileIsRefused) {
  std::string header = Write("a.h", "int a;", /*age_ns=*/0);
  IncludeSetBuilder builder(NowNs() - kHour, NowNs());  // began an hour ago
  EXPECT_TRUE(absl::IsAborted(builder.AddFile(header).status()));
}

// A link retargeted, or a directory renamed into place, on a file's way during the compile leaves
// the file's own stamps as they were: refused all the same. Files written into a directory (the
// build's outputs) are no such change.
TEST_F(ManifestTest, AFileWhoseWayChangedDuringTheCompileIsRefused) {
  ASSERT_TRUE(MakeDirs(dir_ + "/one").ok());
  ASSERT_TRUE(MakeDirs(dir_ + "/two").ok());
  const std::string one = Write("one/h.h", "int a;"), two = Write("two/h.h", "int b;");
  const std::string link = dir_ + "/link";
  ASSERT_EQ(symlink("one", link.c_str()), 0);
  usleep(static_cast<useconds_t>(2 * FileClockSlackNs() / 1000));
  const int64_t start = NowNs();
  Write("one/output.o", "");  // written during the compile
  IncludeSetBuilder before(start, NowNs());
  EXPECT_TRUE(before.AddFile(link + "/h.h").ok());
  EXPECT_TRUE(before.AddFile(two).ok());

  ASSERT_EQ(std::remove(link.c_str()), 0);
  ASSERT_EQ(symlink("two", link.c_str()), 0);
  IncludeSetBuilder relinked(start, NowNs());
  EXPECT_TRUE(absl::IsAborted(relinked.AddFile(link + "/h.h").status()));

  ASSERT_EQ(rename((dir_ + "/one").c_str(), (dir_ + "/three").c_str()), 0);
  ASSERT_EQ(rename((dir_ + "/two").c_str(), (dir_ + "/one").c_str()), 0);
  IncludeSetBuilder renamed(start, NowNs());
  EXPECT_TRUE(absl::IsAborted(renamed.AddFile(one).status()));
}

// An mtime past the clock was set by hand (a tarball from a machine whose clock ran ahead): only
// the ctime tells when the file changed. An mtime within the compile still counts.
TEST_F(ManifestTest, AnMtimeAheadOfTheClockIsNoChange) {
  std::string header = Write("a.h", "int a;", /*age_ns=*/-kHour);
  const int64_t start = NowNs() + kHour / 2;  // after the write: the ctime is older
  IncludeSetBuilder builder(start, start);
  ASSERT_TRUE(builder.AddFile(header).ok());
  EXPECT_TRUE(std::move(builder).Finish(ResultKey(1)).files[0].stamp_trusted);
  SetAge(header, -kHour / 2);  // stamped as the compile began
  IncludeSetBuilder during(start, start);
  EXPECT_TRUE(absl::IsAborted(during.AddFile(header).status()));
}

// Stamps in whole seconds come from a file system that keeps no finer ones: the file may have
// changed up to two seconds after its stamp.
TEST(LastChangeTest, WholeSecondStampsMayBeTwoSecondsBehind) {
  constexpr int64_t kSecond = 1'000'000'000;
  const int64_t now = NowNs();
  const int64_t second = now / kSecond * kSecond - 10 * kSecond;
  EXPECT_EQ(LastChangeNs({.mtime_ns = second, .ctime_ns = second}, now), second + 2 * kSecond);
  EXPECT_EQ(LastChangeNs({.mtime_ns = second, .ctime_ns = second + 5}, now), second + 5);
  const int64_t three_ago = second + 7 * kSecond;  // 3 to 4 s before now
  EXPECT_FALSE(StampTrusted({.mtime_ns = three_ago, .ctime_ns = three_ago}, now, "."));
  EXPECT_TRUE(StampTrusted({.mtime_ns = three_ago + 1, .ctime_ns = three_ago + 1}, now, "."));
}

TEST_F(ManifestTest, AbsentPathsMustStayAbsent) {
  std::string header = Write("a.h", "int a;");
  ASSERT_EQ(mkdir((dir_ + "/first").c_str(), 0755), 0);
  SetAge(dir_ + "/first", kHour);
  Manifest manifest;
  manifest.Add(Record({header}, {dir_ + "/first/a.h", dir_ + "/none/sub/a.h"}, 1));
  const std::vector<IncludeSet> sets = manifest.sets();
  const IncludeSet& set = sets[0];
  ASSERT_EQ(set.absences.size(), 2u);
  ASSERT_TRUE(set.absences[0].guard.has_value());
  EXPECT_EQ(set.absences[0].guard->dir, dir_ + "/first");
  EXPECT_EQ(set.absences[1].guard->dir, dir_);  // the nearest existing ancestor
  // What the nearest ancestor lacks: a directory missing says it of every path below.
  EXPECT_EQ(set.absences[1].paths, std::vector<std::string>{dir_ + "/none"});
  EXPECT_EQ(manifest.Match(), ResultKey(1));

  Write("first/a.h", "shadow");  // a header that now comes first on the search path
  EXPECT_EQ(manifest.Match(), std::nullopt);
  std::remove((dir_ + "/first/a.h").c_str());
  SetAge(dir_ + "/first", kHour / 2);  // the guard changed, the path is checked itself
  EXPECT_EQ(manifest.Match(), ResultKey(1));
}

// A guard directory that changed (a header added beside the absent ones) is checked path by
// path once, then restamped, so that later lookups stat it alone again.
TEST_F(ManifestTest, AChangedGuardIsRestampedWhenItsAbsencesHold) {
  std::string header = Write("a.h", "int a;");
  ASSERT_EQ(mkdir((dir_ + "/inc").c_str(), 0755), 0);
  SetAge(dir_ + "/inc", kHour);
  Manifest manifest;
  manifest.Add(Record({header}, {dir_ + "/inc/a.h", dir_ + "/inc/sub/a.h"}, 1));
  const int64_t later = NowNs() + kHour;
  Write("inc/other.h", "unrelated");
  Manifest::Restamps restamps;
  EXPECT_EQ(manifest.Match(later, &restamps), ResultKey(1));
  ASSERT_EQ(restamps.guards.size(), 1u);
  EXPECT_EQ(restamps.guards[0].second, *StampFile(dir_ + "/inc"));
  manifest.Restamp(restamps);
  EXPECT_EQ(manifest.sets()[0].absences[0].guard->stamp, *StampFile(dir_ + "/inc"));
  EXPECT_TRUE(Manifest::Decode(manifest.Encode()).ok());
  EXPECT_EQ(manifest.Match(later, &restamps), ResultKey(1));
  EXPECT_TRUE(restamps.empty());

  Write("inc/a.h", "shadow", kHour);  // the directory changes again
  EXPECT_EQ(manifest.Match(later, &restamps), std::nullopt);
}

// A guard proves a path absent only while every directory between them is absent too, and
// none of it is a symbolic link: otherwise it is not restamped, and the path stays checked.
// (The builder records the topmost absent directory instead; a manifest written before it did
// holds such paths.)
TEST_F(ManifestTest, AGuardIsNotRestampedForWhatItCannotProve) {
  std::string header = Write("a.h", "int a;");
  const std::string inc = dir_ + "/inc";
  ASSERT_EQ(mkdir(inc.c_str(), 0755), 0);
  SetAge(inc, kHour);
  IncludeSet set = Record({header}, {}, 1);
  set.absences.push_back({Guard{inc, *StampFile(inc)}, {inc + "/sub/a.h", inc + "/b.h"}});
  Manifest manifest;
  manifest.Add(set);
  const int64_t later = NowNs() + kHour;

  ASSERT_EQ(mkdir((inc + "/sub").c_str(), 0755), 0);  // changes inc, not what sub holds
  Manifest::Restamps restamps;
  EXPECT_EQ(manifest.Match(later, &restamps), ResultKey(1));
  EXPECT_TRUE(restamps.guards.empty());
  manifest.Restamp(restamps);
  Write("inc/sub/a.h", "shadow");  // inc's stamp is unchanged by this
  EXPECT_EQ(manifest.Match(later, &restamps), std::nullopt);
  std::remove((inc + "/sub/a.h").c_str());
  ASSERT_EQ(rmdir((inc + "/sub").c_str()), 0);

  ASSERT_EQ(symlink("target.h", (inc + "/b.h").c_str()), 0);  // dangling
  EXPECT_EQ(manifest.Match(later, &restamps), ResultKey(1));
  EXPECT_TRUE(restamps.guards.empty());
  manifest.Restamp(restamps);
  Write("inc/target.h", "shadow");
  EXPECT_EQ(manifest.Match(later, &restamps), std::nullopt);
}

// Where a guard with many absences changed, they are checked against one listing of it: a
// name it lacks is absent; one it holds is looked at itself, as a dangling link must be.
TEST_F(ManifestTest, AChangedGuardOfManyAbsencesIsCheckedByItsListing) {
  std::string header = Write("a.h", "int a;");
  const std::string inc = dir_ + "/inc";
  ASSERT_EQ(mkdir(inc.c_str(), 0755), 0);
  SetAge(inc, kHour);
  std::vector<std::string> absent;
  for (int i = 0; i < 20; ++i) absent.push_back(inc + "/h" + std::to_string(i) + ".h");
  absent.push_back(inc + "/sys/deep.h");
  Manifest manifest;
  manifest.Add(Record({header}, absent, 1));
  const int64_t later = NowNs() + kHour;

  Write("inc/unrelated.h", "x");  // the guard changes
  Manifest::Restamps restamps;
  EXPECT_EQ(manifest.Match(later, &restamps), ResultKey(1));
  EXPECT_EQ(restamps.guards.size(), 1u);  // every absence held: the guard proves them again

  for (const char* name : {"h15.h", "h19.h", "h3.h"}) {
    Write(std::string("inc/") + name, "shadow");
    EXPECT_EQ(manifest.Match(), std::nullopt) << name;
    std::remove((inc + "/" + name).c_str());
    EXPECT_EQ(manifest.Match(), ResultKey(1)) << name;
  }
  // A name that differs in case only is looked at itself (a case-folding directory would find
  // the absent one there); so are all, once the directory holds a name beyond ASCII.
  Write("inc/H16.h", "other case");
  EXPECT_EQ(manifest.Match(), ResultKey(1));
  Write("inc/caf\xc3\xa9.h", "beyond ASCII");
  Write("inc/h18.h", "shadow");
  EXPECT_EQ(manifest.Match(), std::nullopt);
  std::remove((inc + "/h18.h").c_str());
  EXPECT_EQ(manifest.Match(), ResultKey(1));

  ASSERT_EQ(mkdir((inc + "/sys").c_str(), 0755), 0);  // the directory a path lay below
  EXPECT_EQ(manifest.Match(), std::nullopt);
  ASSERT_EQ(rmdir((inc + "/sys").c_str()), 0);

  ASSERT_EQ(symlink("target.h", (inc + "/h17.h").c_str()), 0);  // dangling: nothing to read
  restamps = {};
  EXPECT_EQ(manifest.Match(later, &restamps), ResultKey(1));
  EXPECT_TRUE(restamps.guards.empty());  // a link can come to life without the guard changing
  Write("inc/target.h", "shadow");
  EXPECT_EQ(manifest.Match(), std::nullopt);
}

// A search for many headers in a directory that lacks their subdirectory records the
// subdirectory once; anything created there, even an empty directory, is a difference. Through
// a dangling symbolic link, each path is recorded as it is.
TEST_F(ManifestTest, AnAbsentDirectoryStandsForThePathsBelowIt) {
  std::string header = Write("a.h", "int a;");
  const std::string inc = dir_ + "/inc";
  ASSERT_EQ(mkdir(inc.c_str(), 0755), 0);
  ASSERT_EQ(symlink("nowhere", (inc + "/link").c_str()), 0);
  Manifest manifest;
  manifest.Add(Record({header},
                      {inc + "/bits/x.h", inc + "/bits/y.h", inc + "/bits/deeper/z.h", inc + "/a.h",
                       inc + "/link/x.h", inc + "/link/y.h"},
                      1));
  std::vector<std::string> recorded;
  const std::vector<IncludeSet> sets = manifest.sets();
  for (const Absences& group : sets[0].absences) {
    recorded.insert(recorded.end(), group.paths.begin(), group.paths.end());
  }
  std::sort(recorded.begin(), recorded.end());
  EXPECT_EQ(recorded, (std::vector<std::string>{inc + "/a.h", inc + "/bits", inc + "/link/x.h",
                                                inc + "/link/y.h"}));
  SetAge(inc, kHour / 2);  // the guard changed: each path is checked itself
  EXPECT_EQ(manifest.Match(), ResultKey(1));
  ASSERT_EQ(mkdir((inc + "/bits").c_str(), 0755), 0);
  EXPECT_EQ(manifest.Match(), std::nullopt);
}

// A candidate the compiler looked at: a file there is for the caller to read, a directory is
// passed over (a link to one makes the set unusable), and a path is recorded once, a dangling
// link without a guard.
TEST_F(ManifestTest, ACandidateSaysWhatIsThere) {
  std::string header = Write("a.h", "int a;");
  ASSERT_EQ(mkdir((dir_ + "/d.h").c_str(), 0755), 0);
  ASSERT_EQ(symlink("d.h", (dir_ + "/linked.h").c_str()), 0);
  ASSERT_EQ(symlink("nowhere", (dir_ + "/dangling.h").c_str()), 0);
  const int64_t later = NowNs() + kHour;
  IncludeSetBuilder builder(later, later);
  EXPECT_EQ(builder.AddCandidate(header).value_or(false), true);
  EXPECT_FALSE(builder.Has(header));
  EXPECT_EQ(builder.AddCandidate(dir_ + "/d.h").value_or(true), false);
  EXPECT_TRUE(absl::IsFailedPrecondition(builder.AddCandidate(dir_ + "/linked.h").status()));
  EXPECT_EQ(builder.AddCandidate(dir_ + "/b.h").value_or(true), false);
  EXPECT_EQ(builder.AddCandidate(dir_ + "/b.h").value_or(true), false);
  EXPECT_EQ(builder.AddCandidate(dir_ + "/dangling.h").value_or(true), false);
  const IncludeSet set = std::move(builder).Finish(ResultKey(1));
  ASSERT_EQ(set.absences.size(), 3u);
  for (const Absences& group : set.absences) {
    EXPECT_EQ(group.paths, std::vector<std::string>{group.directories ? dir_ + "/d.h"
                                                    : group.guard     ? dir_ + "/b.h"
                                                                      : dir_ + "/dangling.h"});
  }
}

// A directory passed over (src/memory where <memory> was searched for) may stay one or go; a
// file, or a link, put in its place is a difference.
TEST_F(ManifestTest, ADirectoryPassedOverMustStayOneOrNothing) {
  const std::string passed = dir_ + "/memory";
  ASSERT_EQ(mkdir(passed.c_str(), 0755), 0);
  SetAge(dir_, kHour);
  IncludeSetBuilder builder(NowNs() + kHour, NowNs() + kHour);
  ASSERT_EQ(builder.AddCandidate(passed).value_or(true), false);
  Manifest manifest;
  manifest.Add(std::move(builder).Finish(ResultKey(1)));
  ASSERT_TRUE(Manifest::Decode(manifest.Encode()).ok());
  ASSERT_TRUE(manifest.sets()[0].absences[0].directories);
  EXPECT_EQ(manifest.Match(), ResultKey(1));
  ASSERT_EQ(mkdir((passed + "/inside").c_str(), 0755), 0);  // what it holds does not matter
  EXPECT_EQ(manifest.Match(), ResultKey(1));
  ASSERT_EQ(rmdir((passed + "/inside").c_str()), 0);
  ASSERT_EQ(rmdir(passed.c_str()), 0);
  EXPECT_EQ(manifest.Match(), ResultKey(1));
  Write("memory", "int shadow;");
  EXPECT_EQ(manifest.Match(), std::nullopt);
  ASSERT_TRUE(manifest.NewestMismatch().has_value());
  EXPECT_EQ(manifest.NewestMismatch()->path, passed);
  std::remove(passed.c_str());
  ASSERT_EQ(mkdir((dir_ + "/elsewhere").c_str(), 0755), 0);
  ASSERT_EQ(symlink("elsewhere", passed.c_str()), 0);
  EXPECT_EQ(manifest.Match(), std::nullopt);
}

// What --explain reports: the newest set's first failing check, by path.
TEST_F(ManifestTest, NewestMismatchNamesTheFile) {
  std::string header = Write("a.h", "int a;");
  std::string shadow = dir_ + "/b.h";
  Manifest manifest;
  EXPECT_EQ(manifest.NewestMismatch(), std::nullopt);
  manifest.Add(Record({header}, {shadow}, 1));
  EXPECT_EQ(manifest.NewestMismatch(), std::nullopt);

  Write("b.h", "shadow");
  std::optional<Mismatch> why = manifest.NewestMismatch();
  ASSERT_TRUE(why.has_value());
  EXPECT_EQ(why->kind, Mismatch::Kind::kExists);
  EXPECT_EQ(why->path, shadow);

  Write("a.h", "int b;");
  why = manifest.NewestMismatch();
  ASSERT_TRUE(why.has_value());
  EXPECT_EQ(why->kind, Mismatch::Kind::kChanged);
  EXPECT_EQ(why->path, header);

  std::remove(header.c_str());
  EXPECT_EQ(manifest.NewestMismatch()->kind, Mismatch::Kind::kMissing);
}

TEST_F(ManifestTest, NewestMatchingSetWinsAndSetsAreBounded) {
  std::string header = Write("a.h", "one");
  Manifest manifest;
  manifest.Add(Record({header}, {}, 1));
  Write("a.h", "two");
  manifest.Add(Record({header}, {}, 2));
  EXPECT_EQ(manifest.Match(), ResultKey(2));
  Write("a.h", "one");
  EXPECT_EQ(manifest.Match(), ResultKey(1));
  for (int i = 0; i < 100; ++i) manifest.Add(Record({header}, {}, 100 + i));
  EXPECT_EQ(manifest.sets().size(), Manifest::kMaxSets);
  EXPECT_EQ(manifest.Match(), ResultKey(199));
}

TEST_F(ManifestTest, EncodeDecodeRoundTripAndDamage) {
  std::string header = Write("a.h", "int a;");
  Manifest manifest;
  manifest.Add(Record({header}, {dir_ + "/b.h"}, 1));
  manifest.Add(Record({header}, {}, 2));
  std::string bytes = manifest.Encode();
  absl::StatusOr<Manifest> decoded = Manifest::Decode(bytes);
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(decoded->Encode(), bytes);
  EXPECT_EQ(decoded->Match(), ResultKey(2));
  for (size_t size = 0; size < bytes.size(); ++size) {
    EXPECT_TRUE(absl::IsDataLoss(Manifest::Decode(bytes.substr(0, size)).status())) << size;
  }
  EXPECT_TRUE(absl::IsDataLoss(Manifest::Decode(bytes + "x").status()));
}

// Paths are stored as numbered parts, some relative to their group's guard: every shape of
// path and guard must come back as it was.
TEST_F(ManifestTest, PathsOfEveryShapeSurviveEncoding) {
  FileStamp stamp{.device = 3, .inode = 1ull << 40, .size = 7, .mtime_ns = 1, .ctime_ns = -1};
  IncludeSet set;
  set.result = ResultKey(9);
  for (std::string path : {"/usr/include/c++/12/vector", "/usr/include/c++/12/bits/vector.tcc",
                           "rel.h", "sub/rel.h", "/top.h", "/usr/include/c++/12/bits/x/y.h"}) {
    set.files.push_back({path, ResultKey(path.size()), stamp, path.size() % 2 == 0});
  }
  set.absences.push_back({Guard{"/usr/include", stamp},
                          {"/usr/include/bits/vector.tcc", "/usr/include/c++/12/bits/x/y.h"}});
  set.absences.push_back({Guard{"/", stamp}, {"/vector", "/usr/vector"}});
  set.absences.push_back({Guard{".", stamp}, {"vector", "sub/vector"}});
  set.absences.push_back({std::nullopt, {"/a/b/vector", "vector", "/vector.tcc"}});
  set.absences.push_back({Guard{"/opt/", stamp}, {"/opt/x.h"}});
  // Not below its guard, as only a damaged or crafted manifest has it; found by fuzz_manifest.
  set.absences.push_back({Guard{"/usr/include/c++/12", stamp}, {"/usr/x.h", "y.h"}});
  Manifest manifest;
  manifest.Add(set);
  manifest.Add(set);  // the same set again: kept once
  absl::StatusOr<Manifest> decoded = Manifest::Decode(manifest.Encode());
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  ASSERT_EQ(decoded->sets().size(), 1u);
  EXPECT_EQ(decoded->sets()[0].files, set.files);
  EXPECT_EQ(decoded->sets()[0].absences, set.absences);
  EXPECT_EQ(decoded->sets()[0].result, set.result);
}

}  // namespace
}  // namespace ddcc
