// The statistics update: SharedCounters::Add on a memory-mapped file (one atomic add), and the
// cost of opening the counters, which every ddcc process pays once.
#include <benchmark/benchmark.h>
#include <stdlib.h>
#include <unistd.h>

#include <string>

#include "absl/status/statusor.h"
#include "cache/store/counters.h"

namespace ddcc {
namespace {

constexpr size_t kSlots = 64;

class CounterFile {
 public:
  CounterFile() {
    const char* tmp = getenv("TMPDIR");
    path_ = std::string(tmp ? tmp : "/tmp") + "/ddcc_micro_counters_XXXXXX";
    int fd = mkstemp(path_.data());
    if (fd >= 0) close(fd);
  }
  ~CounterFile() { unlink(path_.c_str()); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

void BM_CountersAdd(benchmark::State& state) {
  CounterFile file;
  absl::StatusOr<SharedCounters> counters = SharedCounters::Open(file.path(), kSlots);
  if (!counters.ok()) {
    state.SkipWithError("SharedCounters::Open failed");
    return;
  }
  size_t slot = 0;
  for (auto _ : state) {
    counters->Add(slot, 1);
    slot = (slot + 1) % 4;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_CountersAdd);

void BM_CountersOpen(benchmark::State& state) {
  CounterFile file;
  for (auto _ : state) {
    absl::StatusOr<SharedCounters> counters = SharedCounters::Open(file.path(), kSlots);
    if (!counters.ok()) {
      state.SkipWithError("SharedCounters::Open failed");
      break;
    }
    counters->Add(0, 1);
  }
}
BENCHMARK(BM_CountersOpen);

}  // namespace
}  // namespace ddcc
