// A direct-mode lookup's manifest work for a translation unit with 500 headers found in the last
// of six search directories (so 2,500 paths that must stay absent, as with a deep -I list):
// decoding the manifest and checking it against the file system (500 stats, guards holding).
#include <benchmark/benchmark.h>
#include <stdlib.h>

#include <filesystem>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "cache/store/manifest.h"
#include "cache/util/files.h"

namespace ddcc {
namespace {

constexpr int kHeaders = 500;
constexpr int kSearchDirs = 6;

class IncludeTree {
 public:
  IncludeTree() {
    const char* tmp = getenv("TMPDIR");
    root_ = absl::StrCat(tmp ? tmp : "/tmp", "/ddcc_micro_manifest_XXXXXX");
    if (mkdtemp(root_.data()) == nullptr) return;
    for (int dir = 0; dir < kSearchDirs; ++dir) MakeDirs(Dir(dir)).IgnoreError();
    // Headers in subdirectories of the last search directory, as library headers are.
    const int last = kSearchDirs - 1;
    for (int i = 0; i < kHeaders; ++i) {
      std::string name = absl::StrCat("lib", i % 10, "/header", i, ".h");
      MakeDirs(absl::StrCat(Dir(last), "/lib", i % 10)).IgnoreError();
      WriteFileAtomic(absl::StrCat(Dir(last), "/", name), std::string(2000 + i, 'x')).IgnoreError();
      names_.push_back(name);
    }
  }
  ~IncludeTree() { std::filesystem::remove_all(root_); }

  // As a compile's record of it would be, seen from 10 s later so that stamps are trusted;
  // `link_free`: with each header tied to being reached through no link, as gcc's system
  // headers are.
  Manifest Record(bool link_free = false) const {
    const int64_t later = NowNs() + 10'000'000'000;
    IncludeSetBuilder builder(later, later);
    for (const std::string& name : names_) {
      const std::string header = absl::StrCat(Dir(kSearchDirs - 1), "/", name);
      builder.AddFile(header).IgnoreError();
      if (link_free) builder.KeepLinkFree(header).IgnoreError();
      for (int dir = 0; dir < kSearchDirs - 1; ++dir) {
        builder.AddCandidate(absl::StrCat(Dir(dir), "/", name)).IgnoreError();
      }
    }
    Manifest manifest;
    manifest.Add(std::move(builder).Finish(Digest{}));
    return manifest;
  }

 private:
  std::string Dir(int dir) const { return absl::StrCat(root_, "/include", dir); }

  std::string root_;
  std::vector<std::string> names_;
};

void BM_ManifestDecode500(benchmark::State& state) {
  IncludeTree tree;
  const std::string bytes = tree.Record().Encode();
  for (auto _ : state) benchmark::DoNotOptimize(Manifest::Decode(bytes));
  state.counters["encoded_bytes"] = static_cast<double>(bytes.size());
}
BENCHMARK(BM_ManifestDecode500);

void BM_ManifestMatch500(benchmark::State& state) {
  IncludeTree tree;
  const Manifest manifest = tree.Record(state.range(0) != 0);
  if (!manifest.Match()) {
    state.SkipWithError("the recorded include set does not match");
    return;
  }
  for (auto _ : state) benchmark::DoNotOptimize(manifest.Match());
}
BENCHMARK(BM_ManifestMatch500)->Arg(0)->Arg(1)->ArgName("link_free");

}  // namespace
}  // namespace ddcc
