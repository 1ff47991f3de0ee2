// What a compile and the storage helper say to each other over the helper's Unix socket: frames
// of a length (4 bytes, little-endian, of what follows), a type and a body. A compile says hello
// first, then asks; the helper answers each frame in order, and may offer, between its answers,
// a result the compile is about to ask for.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "cache/util/hash.h"

namespace ddcc {

// Changed whenever a frame's meaning changes; a helper and a compile of different versions do not
// talk (the helper's socket is named after the ddcc binary too, so they rarely meet).
inline constexpr uint32_t kHelperProtocolVersion = 2;

// No entry comes near this; a longer frame is a broken peer.
inline constexpr uint32_t kMaxHelperFrame = 1u << 30;
// The largest result the helper offers unasked; larger ones wait to be asked for.
inline constexpr size_t kMaxHelperOffer = size_t{4} << 20;
// Offers the helper makes between two answers: those of the newest include set of each manifest
// it passed on, one each. More is a broken peer.
inline constexpr int kMaxOffersPerAnswer = 4;

enum class HelperMessage : uint8_t {
  // body: the protocol version; answered by kHello with the helper's, sent with the first answer
  // (alone where that is not ready within 50 ms, or where the compile's hello came alone)
  kHello = 1,
  kGet = 2,     // body: a HelperRequest without bytes; answered by kAnswer
  kPut = 3,     // body: a HelperRequest; answered by kAnswer once queued (not once stored)
  kStop = 4,    // body: empty; answered by kAnswer, after which the helper finishes and exits
  kAnswer = 5,  // body: a status code, then the value (OK) or the error's message
  // From the helper, unasked: a HelperRequest with the bytes of a result that a manifest it passed
  // on leads to, fetched ahead, so that the compile need not ask for it.
  kOffer = 6,
};

struct HelperFrame {
  HelperMessage type;
  std::string body;
};

std::string EncodeFrame(HelperMessage type, absl::string_view body);

// Frames out of a byte stream, as its pieces arrive.
class FrameReader {
 public:
  void Add(absl::string_view bytes);
  // The next whole frame, if one has arrived; an error when the stream cannot be frames (a frame
  // too long, of an unknown type).
  absl::StatusOr<std::optional<HelperFrame>> Next();

 private:
  std::string buffer_;
  size_t offset_ = 0;  // of the next frame in buffer_
};

// A lookup or a write for one remote: its position in the remote_storage setting.
struct HelperRequest {
  uint8_t remote = 0;
  Digest key;
  std::string bytes;  // kPut only: the entry
};

std::string EncodeRequest(const HelperRequest& request);
absl::StatusOr<HelperRequest> DecodeRequest(absl::string_view body);

std::string EncodeHello();
// An error unless the body is the hello of this protocol's version.
absl::Status CheckHello(absl::string_view body);

std::string EncodeAnswer(const absl::StatusOr<std::string>& answer);
// The answer, or InternalError for a body that is not one.
absl::StatusOr<std::string> DecodeAnswer(absl::string_view body);

}  // namespace ddcc
