// The journal record every call appends (launcher/explain.h): a record of the size a compile's
// keys make, framed into an entry and compressed as the store compresses, then appended to the
// journal with one write. This is what --explain and --report add to a hit.
#include <benchmark/benchmark.h>
#include <stdlib.h>
#include <unistd.h>

#include <string>

#include "absl/strings/str_cat.h"
#include "cache/store/entry.h"
#include "cache/store/journal.h"
#include "cache/util/hash.h"
#include "launcher/blob_kind.h"

namespace ddcc {
namespace {

// Shaped like a direct hit's record: how it ended, when and where, and the direct key's inputs.
std::string HitRecord() {
  std::string text =
      "outcome: direct hit\ncall: 1796391996340991797 5187000 212\nobject: "
      "/home/user/project/build/CMakeFiles/core.dir/src/core/unit42.cc.o\nsource: "
      "/home/user/project/src/core/unit42.cc\ncwd: /home/user/project/build\n# direct key\n"
      "format: 2\ncompiler: /usr/bin/c++ c27bb7574c126fd0647ddcd021fa7fda\ncompiler name: c++\n"
      "language: c++\n";
  for (int i = 0; i < 12; ++i) absl::StrAppend(&text, "argument: -DOPTION_", i, "=1\n");
  for (int i = 0; i < 12; ++i) {
    absl::StrAppend(&text, "preprocessor argument: -I/home/user/project/include/part", i, "\n");
  }
  for (const char* name : {"LANG", "LC_ALL", "LC_CTYPE", "LC_MESSAGES", "GCC_EXEC_PREFIX",
                           "COMPILER_PATH", "CCC_OVERRIDE_OPTIONS", "GCC_COMPARE_DEBUG"}) {
    absl::StrAppend(&text, "env ", name, ": unset\n");
  }
  return text + "source: $CWD/../src/core/unit42.cc 83797d3677d5a1932d9fc3886b97ec89\n";
}

void BM_JournalAppendHitRecord(benchmark::State& state) {
  const char* tmp = getenv("TMPDIR");
  std::string dir = std::string(tmp ? tmp : "/tmp") + "/ddcc_micro_journal_XXXXXX";
  if (mkdtemp(dir.data()) == nullptr) {
    state.SkipWithError("mkdtemp failed");
    return;
  }
  const std::string path = dir + "/journal";
  Journal journal(path, 64 << 20);
  const std::string record = HitRecord();
  Digest key;
  key.bytes[0] = 42;
  for (auto _ : state) {
    Entry entry;
    entry.Add(blob::kExplainRecord, record);
    if (!journal.Append(key, EncodeEntry(entry, 1, key)).ok()) {
      state.SkipWithError("append failed");
      break;
    }
  }
  state.counters["record_bytes"] = static_cast<double>(record.size());
  journal.Clear().IgnoreError();
  rmdir(dir.c_str());
}
BENCHMARK(BM_JournalAppendHitRecord);

}  // namespace
}  // namespace ddcc
