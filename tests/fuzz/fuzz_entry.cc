// Fuzzes the entry decoder (cache/store/entry.h). Random bytes rarely pass the checksum, so the
// first input byte picks what the rest is:
//   0: a whole entry, as read from disk;
//   1: a header and a compressed body, to which the target adds the right compressed size and
//      checksum, so that zstd's input and the header's claims are what gets fuzzed;
//   2: an uncompressed body, which the target compresses and wraps, so that the body parser is.
// An input that decodes must re-encode to an entry that decodes to the same blobs.
#include <stdlib.h>
#include <zstd.h>

#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "cache/store/entry.h"
#include "cache/util/bytes.h"
#include "cache/util/hash.h"

namespace {

constexpr size_t kHeaderSize = 24;

std::string WithChecksum(std::string bytes) {
  ddcc::AppendInteger(bytes, ddcc::KeyedChecksum64(bytes, ddcc::Digest{}), 8);
  return bytes;
}

std::string Wrap(absl::string_view header_and_compressed) {
  std::string bytes(header_and_compressed);
  if (bytes.size() < kHeaderSize) return bytes;
  uint64_t compressed_size = bytes.size() - kHeaderSize;
  for (int i = 0; i < 8; ++i) bytes[16 + i] = static_cast<char>(compressed_size >> (8 * i));
  return WithChecksum(bytes);
}

std::string CompressAndWrap(absl::string_view body) {
  std::string bytes = "DDCE";
  ddcc::AppendInteger(bytes, ddcc::kFormatVersion, 2);
  ddcc::AppendInteger(bytes, 0, 2);
  ddcc::AppendInteger(bytes, body.size(), 8);
  ddcc::AppendInteger(bytes, 0, 8);
  std::string compressed(ZSTD_compressBound(body.size()), '\0');
  size_t size = ZSTD_compress(compressed.data(), compressed.size(), body.data(), body.size(), 1);
  if (ZSTD_isError(size)) abort();
  bytes.append(compressed.data(), size);
  return Wrap(bytes);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return -1;
  absl::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  std::string bytes;
  switch (data[0]) {
    case 0:
      bytes = std::string(rest);
      break;
    case 1:
      bytes = Wrap(rest);
      break;
    case 2:
      bytes = CompressAndWrap(rest);
      break;
    default:
      return -1;
  }
  absl::StatusOr<ddcc::Entry> entry = ddcc::DecodeEntry(bytes, ddcc::Digest{});
  if (!entry.ok()) {
    if (!absl::IsDataLoss(entry.status())) abort();
    return 0;
  }
  absl::StatusOr<ddcc::Entry> again =
      ddcc::DecodeEntry(ddcc::EncodeEntry(*entry, 1, ddcc::Digest{}), ddcc::Digest{});
  if (!again.ok() || again->blobs != entry->blobs) abort();
  return 0;
}
