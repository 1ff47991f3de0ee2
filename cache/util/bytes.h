// Little-endian integers and length-prefixed strings, written to and read from byte strings. The
// reader checks every read against what is left, so damaged input can only make it fail.
#pragma once

#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"

namespace ddcc {

inline void AppendInteger(std::string& out, uint64_t value, int size) {
  for (int i = 0; i < size; ++i) out.push_back(static_cast<char>(value >> (8 * i)));
}

inline uint64_t IntegerAt(absl::string_view bytes, size_t offset, int size) {
  uint64_t value = 0;
  for (int i = 0; i < size; ++i) {
    value |= uint64_t{static_cast<uint8_t>(bytes[offset + i])} << (8 * i);
  }
  return value;
}

// LEB128: seven bits a byte, low first; small numbers take one byte.
inline void AppendVarint(std::string& out, uint64_t value) {
  while (value >= 0x80) {
    out.push_back(static_cast<char>((value & 0x7f) | 0x80));
    value >>= 7;
  }
  out.push_back(static_cast<char>(value));
}

// A u32 length, then the bytes.
inline void AppendString(std::string& out, absl::string_view text) {
  AppendInteger(out, text.size(), 4);
  out.append(text.data(), text.size());
}

class ByteReader {
 public:
  explicit ByteReader(absl::string_view bytes) : rest_(bytes) {}

  bool Integer(int size, uint64_t& value) {
    if (rest_.size() < static_cast<size_t>(size)) return false;
    value = IntegerAt(rest_, 0, size);
    rest_.remove_prefix(size);
    return true;
  }

  bool Varint(uint64_t& value) {
    value = 0;
    for (int shift = 0; shift < 64 && !rest_.empty(); shift += 7) {
      uint8_t byte = static_cast<uint8_t>(rest_.front());
      rest_.remove_prefix(1);
      value |= uint64_t{byte & 0x7fu} << shift;
      if ((byte & 0x80) == 0) return true;
    }
    return false;
  }

  bool Bytes(uint64_t size, std::string& value) {
    if (rest_.size() < size) return false;
    value.assign(rest_.data(), size);
    rest_.remove_prefix(size);
    return true;
  }

  bool View(uint64_t size, absl::string_view& value) {
    if (rest_.size() < size) return false;
    value = rest_.substr(0, size);
    rest_.remove_prefix(size);
    return true;
  }

  // The caller checked that `size` bytes are left.
  void Skip(uint64_t size) { rest_.remove_prefix(size); }

  bool String(std::string& value) {
    uint64_t size;
    return Integer(4, size) && Bytes(size, value);
  }

  size_t left() const { return rest_.size(); }

 private:
  absl::string_view rest_;
};

}  // namespace ddcc
