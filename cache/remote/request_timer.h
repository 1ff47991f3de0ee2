// The deadline of a request to a remote: `timeout` from its start, pushed back by `timeout` each
// time another 64 KiB of the answer arrive, so that a large entry on a slow link goes on while
// it keeps coming, and an answer that trickles in does not.
#pragma once

#include <uv.h>

#include <cstddef>
#include <functional>
#include <utility>

#include "cache/util/deadline_timer.h"

namespace ddcc {

class RequestTimer {
 public:
  RequestTimer(uv_loop_t* loop, std::function<void()> expired) : timer_(loop, std::move(expired)) {}

  // `ms` from now, and again from each 64 KiB received.
  void Start(int ms) {
    ms_ = ms;
    received_ = 0;
    timer_.Start(ms);
  }
  void Stop() { timer_.Stop(); }
  void Received(size_t bytes) {
    constexpr size_t kProgressBytes = 64 * 1024;
    received_ += bytes;
    if (received_ < kProgressBytes) return;
    received_ = 0;
    timer_.Start(ms_);
  }

 private:
  DeadlineTimer timer_;
  int ms_ = 0;
  size_t received_ = 0;  // since the deadline was last set
};

}  // namespace ddcc
