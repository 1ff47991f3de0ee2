// Layout, all integers little-endian:
//   header:   "DDCE", u16 format version, u16 reserved (0), u64 body size, u64 compressed size
//   body:     zstd-compressed; uncompressed it is u32 blob count, then per blob
//             u16 kind, u32 name length, name, u64 content length, content
//   checksum: u64 XXH3-64 of everything before it, seeded by the key (KeyedChecksum64)
#include "cache/store/entry.h"

#include <zstd.h>

#include <algorithm>
#include <cstdlib>
#include <memory>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "cache/util/bytes.h"
#include "cache/util/hash.h"

namespace ddcc {
namespace {

constexpr absl::string_view kMagic = "DDCE";
constexpr size_t kHeaderSize = 4 + 2 + 2 + 8 + 8;
constexpr size_t kChecksumSize = 8;

absl::StatusOr<Entry> ParseBody(absl::string_view body) {
  ByteReader reader(body);
  uint64_t count;
  if (!reader.Integer(4, count)) return absl::DataLossError("entry body lacks its blob count");
  Entry entry;
  // Each blob takes at least 14 bytes, which bounds what a damaged count can make us reserve.
  entry.blobs.reserve(std::min<uint64_t>(count, reader.left() / 14));
  for (uint64_t i = 0; i < count; ++i) {
    uint64_t kind, name_size, content_size;
    Blob blob;
    if (!reader.Integer(2, kind) || !reader.Integer(4, name_size) ||
        !reader.Bytes(name_size, blob.name) || !reader.Integer(8, content_size) ||
        !reader.Bytes(content_size, blob.content)) {
      return absl::DataLossError(absl::StrCat("entry body ends inside blob ", i, " of ", count));
    }
    blob.kind = static_cast<BlobKind>(kind);
    entry.blobs.push_back(std::move(blob));
  }
  if (reader.left() != 0) {
    return absl::DataLossError(
        absl::StrCat("entry body has ", reader.left(), " bytes after its last blob"));
  }
  return entry;
}

}  // namespace

const std::string* Entry::Find(BlobKind kind, absl::string_view name) const {
  for (const Blob& blob : blobs) {
    if (blob.kind == kind && blob.name == name) return &blob.content;
  }
  return nullptr;
}

std::string EncodeEntry(const Entry& entry, int compression_level, const Digest& key) {
  uint64_t body_size = 4;
  for (const Blob& blob : entry.blobs)
    body_size += 2 + 4 + blob.name.size() + 8 + blob.content.size();

  // The body is compressed as it is laid out, piece by piece, and the output grows chunk by
  // chunk: a large object is neither copied into a body first nor given a zero-filled buffer
  // of its size (page faults are most of the cost of storing one).
  std::string out;
  out.reserve(kHeaderSize + ZSTD_compressBound(body_size) + kChecksumSize);
  out.append(kMagic.data(), kMagic.size());
  AppendInteger(out, kFormatVersion, 2);
  AppendInteger(out, 0, 2);
  AppendInteger(out, body_size, 8);
  AppendInteger(out, 0, 8);  // the compressed size, filled in below

  std::unique_ptr<ZSTD_CCtx, size_t (*)(ZSTD_CCtx*)> context(ZSTD_createCCtx(), ZSTD_freeCCtx);
  // Compression fails only when memory runs out, which ends the process for any other
  // allocation too.
  if (!context) std::abort();
  ZSTD_CCtx_setParameter(context.get(), ZSTD_c_compressionLevel, compression_level);
  ZSTD_CCtx_setPledgedSrcSize(context.get(), body_size);
  // On the stack: zstd's suggested 128 KiB would be a fresh mapping (its own system calls and
  // page faults) for every entry, where most compress to a few KiB.
  char chunk[16 * 1024];
  auto compress = [&](absl::string_view piece, ZSTD_EndDirective mode) {
    ZSTD_inBuffer input{piece.data(), piece.size(), 0};
    for (;;) {
      ZSTD_outBuffer output{chunk, sizeof(chunk), 0};
      size_t left = ZSTD_compressStream2(context.get(), &output, &input, mode);
      if (ZSTD_isError(left)) std::abort();
      out.append(chunk, output.pos);
      if (mode == ZSTD_e_end ? left == 0 : input.pos == input.size) return;
    }
  };
  std::string integer;
  auto compress_integer = [&](uint64_t value, int bytes) {
    integer.clear();
    AppendInteger(integer, value, bytes);
    compress(integer, ZSTD_e_continue);
  };
  compress_integer(entry.blobs.size(), 4);
  for (const Blob& blob : entry.blobs) {
    compress_integer(blob.kind, 2);
    compress_integer(blob.name.size(), 4);
    compress(blob.name, ZSTD_e_continue);
    compress_integer(blob.content.size(), 8);
    compress(blob.content, ZSTD_e_continue);
  }
  compress("", ZSTD_e_end);
  const uint64_t compressed_size = out.size() - kHeaderSize;
  for (int i = 0; i < 8; ++i) out[16 + i] = static_cast<char>(compressed_size >> (8 * i));
  AppendInteger(out, KeyedChecksum64(out, key), 8);
  return out;
}

absl::StatusOr<Entry> DecodeEntry(absl::string_view bytes, const Digest& key) {
  if (bytes.size() < kHeaderSize + kChecksumSize) {
    return absl::DataLossError(absl::StrCat("entry too short: ", bytes.size(), " bytes"));
  }
  if (bytes.substr(0, 4) != kMagic) return absl::DataLossError("entry has a bad magic number");
  uint64_t version = IntegerAt(bytes, 4, 2);
  if (version != kFormatVersion) {
    return absl::DataLossError(
        absl::StrCat("entry format version ", version, ", expected ", kFormatVersion));
  }
  uint64_t body_size = IntegerAt(bytes, 8, 8);
  uint64_t compressed_size = IntegerAt(bytes, 16, 8);
  if (compressed_size != bytes.size() - kHeaderSize - kChecksumSize) {
    return absl::DataLossError(absl::StrCat("entry is ", bytes.size(), " bytes, its header says ",
                                            compressed_size, " compressed bytes"));
  }
  size_t checked_size = bytes.size() - kChecksumSize;
  if (KeyedChecksum64(bytes.substr(0, checked_size), key) != IntegerAt(bytes, checked_size, 8)) {
    return absl::DataLossError("entry checksum mismatch (damaged, or made for another key)");
  }
  // A zstd block holds at most 128 KiB and takes at least 3 bytes, so a larger claim is damage;
  // checking it keeps a forged header from making us allocate without bound.
  if (body_size / (128 * 1024) > compressed_size / 3) {
    return absl::DataLossError(absl::StrCat("entry claims an implausible body size ", body_size,
                                            " for ", compressed_size, " compressed bytes"));
  }
  // Uninitialised: zstd writes every byte, and zero-filling first costs as much as a copy.
  std::unique_ptr<char[]> body(new char[body_size]);
  // One context for the process, kept: a new one per entry is an allocation and a set-up that cost
  // the storage helper a few hundredths of a millisecond on each manifest it reads ahead.
  static thread_local std::unique_ptr<ZSTD_DCtx, size_t (*)(ZSTD_DCtx*)> context(ZSTD_createDCtx(),
                                                                                 ZSTD_freeDCtx);
  if (!context) return absl::ResourceExhaustedError("no memory for a zstd context");
  size_t decompressed_size = ZSTD_decompressDCtx(context.get(), body.get(), body_size,
                                                 bytes.data() + kHeaderSize, compressed_size);
  if (ZSTD_isError(decompressed_size)) {
    return absl::DataLossError(
        absl::StrCat("entry body does not decompress: ", ZSTD_getErrorName(decompressed_size)));
  }
  if (decompressed_size != body_size) {
    return absl::DataLossError(absl::StrCat("entry body decompresses to ", decompressed_size,
                                            " bytes, its header says ", body_size));
  }
  return ParseBody(absl::string_view(body.get(), body_size));
}

}  // namespace ddcc
