// Compressing and decompressing a cache entry: a ~100 KiB object file, its dependency file and
// a warning on stderr, as a miss stores it and a hit reads it back. The object is synthetic but
// shaped like one (machine code, zero padding, symbol names, relocations) and compresses about
// as well as gcc's -O2 objects do (2.5 to 3 times with zstd -1); set DDCC_MICRO_OBJECT to a real
// object file to use that instead.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>
#include <string>

#include "absl/status/statusor.h"
#include "cache/store/entry.h"
#include "launcher/blob_kind.h"

namespace ddcc {
namespace {

void AppendCode(std::mt19937& random, std::string& out) {
  // Opcode-like bytes: a few values are common, most are rare.
  std::geometric_distribution<int> skewed(0.3);
  const int length = 256 + static_cast<int>(random() % 1792);
  for (int i = 0; i < length; ++i) out.push_back(static_cast<char>(skewed(random) * 37));
}

void AppendSymbols(std::mt19937& random, std::string& out) {
  static const char* const kWords[] = {
      "_ZN",           "4core",       "7Record", "Service", "St6vector",    "basic_string",
      "allocator",     "char_traits", "Compute", "Run",     "Level",        "absl",
      "flat_hash_map", "internal",    "EEE",     "Ev",      "emplace_back", "push_back",
      "operator",      "hash",        "Unit",    "Entry",   "RKS"};
  for (int symbol = 0; symbol < 12; ++symbol) {
    for (int part = 0, parts = 3 + random() % 6; part < parts; ++part) {
      out += kWords[random() % std::size(kWords)];
    }
    out.push_back('\0');
  }
}

void AppendRelocations(std::mt19937& random, std::string& out) {
  uint64_t offset = random() % 4096;
  for (int i = 0; i < 16; ++i) {
    offset += 4 + random() % 64;
    const uint64_t record[3] = {offset, (uint64_t{random() % 300} << 32) | (1 + random() % 4),
                                random() % 8};
    out.append(reinterpret_cast<const char*>(record), sizeof record);
  }
}

std::string ObjectLikeBlob(size_t size) {
  if (const char* path = std::getenv("DDCC_MICRO_OBJECT")) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream content;
    content << in.rdbuf();
    if (in) return content.str();
  }
  std::mt19937 random(7);
  std::string out =
      "\x7f"
      "ELF";
  while (out.size() < size) {
    switch (random() % 5) {
      case 0:
        out.append(16 + random() % 240, '\0');
        break;
      case 1:
        AppendSymbols(random, out);
        break;
      case 2:
        AppendRelocations(random, out);
        break;
      default:
        AppendCode(random, out);
    }
  }
  out.resize(size);
  return out;
}

Entry ObjectEntry() {
  Entry entry;
  entry.Add(blob::kObject, ObjectLikeBlob(100 << 10));
  std::string depfile = "CMakeFiles/core.dir/src/core/u1.cc.o: /home/user/project/src/core/u1.cc";
  for (int i = 0; i < 40; ++i) {
    depfile += " \\\n  /home/user/project/include/core/h" + std::to_string(i) + ".h";
  }
  entry.Add(blob::kDepfile, depfile + "\n");
  entry.Add(blob::kStdout, "");
  entry.Add(blob::kStderr, "src/core/u1.cc:12:7: warning: unused variable 'x'\n");
  return entry;
}

int64_t EntryBytes(const Entry& entry) {
  int64_t total = 0;
  for (const Blob& each : entry.blobs) total += each.content.size();
  return total;
}

void BM_EncodeEntry(benchmark::State& state) {
  const Entry entry = ObjectEntry();
  std::string encoded;
  for (auto _ : state) {
    encoded = EncodeEntry(entry, static_cast<int>(state.range(0)), Digest{});
    benchmark::DoNotOptimize(encoded.data());
  }
  state.SetBytesProcessed(state.iterations() * EntryBytes(entry));
  state.counters["ratio"] = static_cast<double>(EntryBytes(entry)) / encoded.size();
}
BENCHMARK(BM_EncodeEntry)->Arg(1)->Arg(3)->ArgName("level");

void BM_DecodeEntry(benchmark::State& state) {
  const Entry entry = ObjectEntry();
  const std::string encoded = EncodeEntry(entry, static_cast<int>(state.range(0)), Digest{});
  for (auto _ : state) {
    absl::StatusOr<Entry> decoded = DecodeEntry(encoded, Digest{});
    if (!decoded.ok()) {
      state.SkipWithError("DecodeEntry failed");
      break;
    }
    benchmark::DoNotOptimize(decoded->blobs.data());
  }
  state.SetBytesProcessed(state.iterations() * EntryBytes(entry));
}
BENCHMARK(BM_DecodeEntry)->Arg(1)->Arg(3)->ArgName("level");

}  // namespace
}  // namespace ddcc
