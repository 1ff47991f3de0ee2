#include "cache/helper/helper_protocol.h"

#include <cstring>

#include "absl/strings/str_cat.h"

namespace ddcc {
namespace {

void AppendU32(std::string& out, uint32_t value) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((value >> (8 * i)) & 0xff));
}

uint32_t ReadU32(absl::string_view bytes) {
  uint32_t value = 0;
  for (int i = 0; i < 4; ++i) value |= uint32_t{static_cast<uint8_t>(bytes[i])} << (8 * i);
  return value;
}

bool KnownType(uint8_t type) {
  return type >= static_cast<uint8_t>(HelperMessage::kHello) &&
         type <= static_cast<uint8_t>(HelperMessage::kOffer);
}

}  // namespace

std::string EncodeFrame(HelperMessage type, absl::string_view body) {
  std::string frame;
  frame.reserve(5 + body.size());
  AppendU32(frame, static_cast<uint32_t>(body.size() + 1));
  frame.push_back(static_cast<char>(type));
  frame.append(body.data(), body.size());
  return frame;
}

void FrameReader::Add(absl::string_view bytes) {
  if (offset_ == buffer_.size()) {
    buffer_.clear();
    offset_ = 0;
  }
  buffer_.append(bytes.data(), bytes.size());
}

absl::StatusOr<std::optional<HelperFrame>> FrameReader::Next() {
  if (buffer_.size() - offset_ < 5) return std::nullopt;
  const uint32_t size = ReadU32(absl::string_view(buffer_).substr(offset_));
  if (size == 0 || size > kMaxHelperFrame) {
    return absl::DataLossError(absl::StrCat("a frame of ", size, " bytes"));
  }
  if (!KnownType(static_cast<uint8_t>(buffer_[offset_ + 4]))) {
    return absl::DataLossError("a frame of an unknown type");
  }
  if (buffer_.size() - offset_ - 4 < size) return std::nullopt;
  HelperFrame frame{static_cast<HelperMessage>(buffer_[offset_ + 4]),
                    buffer_.substr(offset_ + 5, size - 1)};
  offset_ += 4 + size;
  return frame;
}

std::string EncodeRequest(const HelperRequest& request) {
  std::string body;
  body.reserve(1 + request.key.bytes.size() + request.bytes.size());
  body.push_back(static_cast<char>(request.remote));
  body.append(reinterpret_cast<const char*>(request.key.bytes.data()), request.key.bytes.size());
  body.append(request.bytes);
  return body;
}

absl::StatusOr<HelperRequest> DecodeRequest(absl::string_view body) {
  HelperRequest request;
  if (body.size() < 1 + request.key.bytes.size()) {
    return absl::DataLossError("a request too short for a key");
  }
  request.remote = static_cast<uint8_t>(body[0]);
  std::memcpy(request.key.bytes.data(), body.data() + 1, request.key.bytes.size());
  request.bytes = std::string(body.substr(1 + request.key.bytes.size()));
  return request;
}

std::string EncodeHello() {
  std::string body;
  AppendU32(body, kHelperProtocolVersion);
  return body;
}

absl::Status CheckHello(absl::string_view body) {
  if (body.size() != 4) return absl::DataLossError("a hello of the wrong size");
  if (uint32_t version = ReadU32(body); version != kHelperProtocolVersion) {
    return absl::FailedPreconditionError(
        absl::StrCat("protocol version ", version, ", not ", kHelperProtocolVersion));
  }
  return absl::OkStatus();
}

std::string EncodeAnswer(const absl::StatusOr<std::string>& answer) {
  std::string body(1, static_cast<char>(answer.status().code()));
  body.append(answer.ok() ? *answer : std::string(answer.status().message()));
  return body;
}

absl::StatusOr<std::string> DecodeAnswer(absl::string_view body) {
  if (body.empty()) return absl::InternalError("an empty answer from the storage helper");
  const auto code = static_cast<absl::StatusCode>(static_cast<uint8_t>(body[0]));
  if (code == absl::StatusCode::kOk) return std::string(body.substr(1));
  return absl::Status(code, body.substr(1));
}

}  // namespace ddcc
