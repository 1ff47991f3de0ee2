// Hashing throughput: the XXH3-128 key hasher and the XXH3-64 entry checksum on 1 MiB buffers,
// and the per-field cost of hashing many short fields (arguments, paths).
#include <benchmark/benchmark.h>

#include <cstdint>
#include <random>
#include <string>

#include "absl/strings/string_view.h"
#include "cache/util/hash.h"

namespace ddcc {
namespace {

std::string RandomBytes(size_t size) {
  std::mt19937_64 random(42);
  std::string bytes(size, '\0');
  for (char& c : bytes) c = static_cast<char>(random());
  return bytes;
}

void BM_HasherUpdate(benchmark::State& state) {
  const std::string buffer = RandomBytes(1 << 20);
  for (auto _ : state) {
    Hasher hasher;
    hasher.Update(buffer);
    benchmark::DoNotOptimize(hasher.Finish());
  }
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(buffer.size()));
}
BENCHMARK(BM_HasherUpdate);

void BM_Checksum64(benchmark::State& state) {
  const std::string buffer = RandomBytes(1 << 20);
  for (auto _ : state) benchmark::DoNotOptimize(Checksum64(buffer));
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(buffer.size()));
}
BENCHMARK(BM_Checksum64);

// A compile's arguments: about 40 fields of 10 to 60 bytes, each prefixed with its length.
void BM_HasherFields(benchmark::State& state) {
  const std::string pool = RandomBytes(4096);
  for (auto _ : state) {
    Hasher hasher;
    for (int i = 0; i < state.range(0); ++i) {
      hasher.Field(absl::string_view(pool).substr(i * 61 % 4000, 10 + i % 50));
    }
    benchmark::DoNotOptimize(hasher.Finish());
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_HasherFields)->Arg(40);

}  // namespace
}  // namespace ddcc
