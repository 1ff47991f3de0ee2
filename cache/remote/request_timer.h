// The deadline of a request to a remote: `timeout` from its start, and one more for each 64 KiB
// it sends (an upload is answered only once the server has read it all: the answer shows no
// progress before), pushed back by `timeout` each time another 64 KiB of the answer arrive, so
// that a large entry on a slow link goes on while it keeps coming, and an answer that trickles
// in does not; never past 20 timeouts from the start, so that one that keeps coming without end
// (a proxy's, a wrong URL's) ends too.
#pragma once

#include <uv.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <utility>

#include "cache/util/deadline_timer.h"
#include "cache/util/files.h"

namespace ddcc {

class RequestTimer {
 public:
  RequestTimer(uv_loop_t* loop, std::function<void()> expired) : timer_(loop, std::move(expired)) {}

  // `ms` from now, and `ms` more for each 64 KiB of the `sending` bytes; again from each 64 KiB
  // received.
  void Start(int ms, size_t sending = 0) {
    ms_ = ms;
    received_ = 0;
    started_ns_ = NowNs();
    const int64_t for_sending = static_cast<int64_t>(sending / kProgressBytes) * ms;
    timer_.Start(static_cast<int>(std::min<int64_t>(ms + for_sending, kTimeouts * ms)));
  }
  void Stop() { timer_.Stop(); }
  void Received(size_t bytes) {
    received_ += bytes;
    if (received_ < kProgressBytes) return;
    received_ = 0;
    const int64_t left_ms = (started_ns_ + kTimeouts * ms_ * 1'000'000 - NowNs()) / 1'000'000;
    if (left_ms > 0) timer_.Start(static_cast<int>(std::min<int64_t>(ms_, left_ms)));
  }

 private:
  static constexpr size_t kProgressBytes = 64 * 1024;
  static constexpr int64_t kTimeouts = 20;

  DeadlineTimer timer_;
  int ms_ = 0;
  size_t received_ = 0;  // since the deadline was last set
  int64_t started_ns_ = 0;
};

}  // namespace ddcc
