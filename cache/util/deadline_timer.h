// A libuv timer for the deadline of a remote request: started anew for each request, stopped
// when it is answered. The handle outlives the timer until the loop closes it.
#pragma once

#include <uv.h>

#include <functional>

namespace ddcc {

class DeadlineTimer {
 public:
  DeadlineTimer(uv_loop_t* loop, std::function<void()> expired);
  ~DeadlineTimer();
  DeadlineTimer(const DeadlineTimer&) = delete;
  DeadlineTimer& operator=(const DeadlineTimer&) = delete;

  // Calls `expired` in `ms` milliseconds from now, unless stopped or started again before.
  void Start(int ms);
  void Stop();

 private:
  uv_loop_t* loop_;
  uv_timer_t* timer_;
  std::function<void()> expired_;
};

}  // namespace ddcc
