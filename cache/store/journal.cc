// A record on disk: "ddj1", the key (16 bytes), the length of the record (4 bytes, little
// endian), the record, and XXH3-64 of key and record (8 bytes). A reader that finds anything
// else where a record should start looks for the next "ddj1".
#include "cache/store/journal.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <utility>

#include "absl/strings/str_cat.h"
#include "cache/util/files.h"
#include "xxhash.h"

namespace ddcc {
namespace {

constexpr absl::string_view kMagic = "ddj1";
constexpr size_t kKeySize = sizeof(Digest::bytes);
constexpr size_t kHeaderSize = kMagic.size() + kKeySize + 4;
constexpr size_t kChecksumSize = 8;
// Records are a few KiB; a length beyond this is damage, not a record.
constexpr uint32_t kMaxRecordSize = 1 << 24;

// Of the key, the length and the record, which lie together in a frame.
uint64_t Checksum(absl::string_view key_length_and_record) {
  return XXH3_64bits(key_length_and_record.data(), key_length_and_record.size());
}

void AppendLittleEndian(std::string& out, uint64_t value, int bytes) {
  for (int i = 0; i < bytes; ++i) out.push_back(static_cast<char>(value >> (8 * i)));
}

uint64_t ReadLittleEndian(absl::string_view in, int bytes) {
  uint64_t value = 0;
  for (int i = bytes - 1; i >= 0; --i) value = value << 8 | static_cast<unsigned char>(in[i]);
  return value;
}

// Adds the intact records in `data` to `records`: those under `key`, or every one when `key` is
// empty.
void CollectRecords(absl::string_view data, absl::string_view key,
                    std::vector<Journal::Keyed>& records) {
  size_t at = 0;
  while ((at = data.find(kMagic, at)) != absl::string_view::npos) {
    absl::string_view rest = data.substr(at);
    if (rest.size() < kHeaderSize + kChecksumSize) break;
    const uint64_t length = ReadLittleEndian(rest.substr(kMagic.size() + kKeySize), 4);
    if (length > kMaxRecordSize || rest.size() < kHeaderSize + length + kChecksumSize) {
      ++at;
      continue;
    }
    if (ReadLittleEndian(rest.substr(kHeaderSize + length), kChecksumSize) !=
        Checksum(rest.substr(kMagic.size(), kKeySize + 4 + length))) {
      ++at;
      continue;
    }
    const absl::string_view record_key = rest.substr(kMagic.size(), kKeySize);
    if (key.empty() || record_key == key) {
      Journal::Keyed& kept = records.emplace_back();
      std::memcpy(kept.key.bytes.data(), record_key.data(), kKeySize);
      kept.record = std::string(rest.substr(kHeaderSize, length));
    }
    at += kHeaderSize + length + kChecksumSize;
  }
}

absl::StatusOr<std::string> ReadNoFollow(const std::string& path) {
  ScopedFd fd(open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC));
  if (fd.get() < 0) return ErrnoStatus("open", path);
  return ReadRegular(fd.get(), path);
}

}  // namespace

Journal::Journal(std::string path, uint64_t max_bytes)
    : path_(std::move(path)), old_path_(path_ + ".old"), max_bytes_(max_bytes) {}

absl::Status Journal::Append(const Digest& key, absl::string_view record) {
  if (record.size() > kMaxRecordSize) return absl::InvalidArgumentError("journal record too big");
  std::string frame(kMagic.data(), kMagic.size());
  frame.append(reinterpret_cast<const char*>(key.bytes.data()), kKeySize);
  AppendLittleEndian(frame, record.size(), 4);
  frame.append(record.data(), record.size());
  AppendLittleEndian(frame, Checksum(absl::string_view(frame).substr(kMagic.size())),
                     kChecksumSize);
  // Not waiting for a reader of a FIFO put in its place.
  ScopedFd fd(open(path_.c_str(),
                   O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0666));
  if (fd.get() < 0) return ErrnoStatus("open", path_);
  struct stat opened;
  if (fstat(fd.get(), &opened) != 0 || !S_ISREG(opened.st_mode)) {
    return absl::DataLossError(absl::StrCat(path_, " is no regular file"));
  }
  // One write: O_APPEND puts it whole after every other writer's. A short write (a full disk)
  // leaves a torn record, which readers skip.
  ssize_t written = write(fd.get(), frame.data(), frame.size());
  if (written != static_cast<ssize_t>(frame.size())) {
    if (written >= 0) errno = ENOSPC;
    return ErrnoStatus("write", path_);
  }
  struct stat st;
  if (fstat(fd.get(), &st) != 0 || static_cast<uint64_t>(st.st_size) <= max_bytes_ / 2) {
    return absl::OkStatus();
  }
  // Full: this file becomes the old one. Writers that filled it at once rotate it once: the
  // lock and the check that the path still names this file keep a second rename from pushing
  // the newest records out.
  if (flock(fd.get(), LOCK_EX | LOCK_NB) != 0) return absl::OkStatus();
  struct stat now;
  if (stat(path_.c_str(), &now) != 0 || now.st_ino != st.st_ino || now.st_dev != st.st_dev) {
    return absl::OkStatus();
  }
  if (rename(path_.c_str(), old_path_.c_str()) != 0) return ErrnoStatus("rename", path_);
  // Written under a higher limit: the old file would keep more than its half.
  if (static_cast<uint64_t>(st.st_size) > max_bytes_) return ShortenOld();
  return absl::OkStatus();
}

absl::Status Journal::Trim() {
  struct stat st;
  if (lstat(path_.c_str(), &st) == 0 && S_ISREG(st.st_mode) &&
      static_cast<uint64_t>(st.st_size) > max_bytes_ / 2 &&
      rename(path_.c_str(), old_path_.c_str()) != 0) {
    return ErrnoStatus("rename", path_);
  }
  return ShortenOld();
}

absl::Status Journal::ShortenOld() {
  absl::StatusOr<std::string> data = ReadNoFollow(old_path_);
  if (absl::IsNotFound(data.status())) return absl::OkStatus();
  if (!data.ok()) return data.status();
  const size_t keep = max_bytes_ / 2;
  if (data->size() <= keep) return absl::OkStatus();
  // Readers skip to the next record from wherever the kept part begins.
  absl::string_view tail = absl::string_view(*data).substr(data->size() - keep);
  const size_t start = tail.find(kMagic);
  return WriteFileAtomic(old_path_, start == absl::string_view::npos ? "" : tail.substr(start));
}

absl::StatusOr<std::vector<std::string>> Journal::Read(const Digest& key) const {
  absl::StatusOr<std::vector<Keyed>> kept =
      Collect(absl::string_view(reinterpret_cast<const char*>(key.bytes.data()), kKeySize));
  if (!kept.ok()) return kept.status();
  std::vector<std::string> records;
  records.reserve(kept->size());
  for (Keyed& one : *kept) records.push_back(std::move(one.record));
  return records;
}

absl::StatusOr<std::vector<Journal::Keyed>> Journal::ReadAll() const { return Collect(""); }

absl::StatusOr<std::vector<Journal::Keyed>> Journal::Collect(absl::string_view key) const {
  std::vector<Keyed> records;
  for (const std::string* path : {&old_path_, &path_}) {
    absl::StatusOr<std::string> data = ReadNoFollow(*path);
    if (absl::IsNotFound(data.status())) continue;
    if (!data.ok()) return data.status();
    CollectRecords(*data, key, records);
  }
  return records;
}

uint64_t Journal::AllocatedBytes() const {
  uint64_t bytes = 0;
  struct stat st;
  for (const std::string* path : {&old_path_, &path_}) {
    if (lstat(path->c_str(), &st) == 0 && S_ISREG(st.st_mode)) bytes += ddcc::AllocatedBytes(st);
  }
  return bytes;
}

absl::Status Journal::Clear() {
  absl::Status result;
  for (const std::string* path : {&old_path_, &path_}) {
    if (unlink(path->c_str()) != 0 && errno != ENOENT) result.Update(ErrnoStatus("unlink", *path));
  }
  return result;
}

absl::Status Journal::RemoveWrittenBefore(int64_t time_ns) {
  absl::Status result;
  struct stat st;
  for (const std::string* path : {&old_path_, &path_}) {
    if (lstat(path->c_str(), &st) != 0) continue;
    if (int64_t{st.st_mtim.tv_sec} * 1'000'000'000 + st.st_mtim.tv_nsec >= time_ns) continue;
    if (unlink(path->c_str()) != 0 && errno != ENOENT) result.Update(ErrnoStatus("unlink", *path));
  }
  return result;
}

}  // namespace ddcc
