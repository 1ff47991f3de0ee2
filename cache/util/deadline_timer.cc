#include "cache/util/deadline_timer.h"

#include <utility>

namespace ddcc {

DeadlineTimer::DeadlineTimer(uv_loop_t* loop, std::function<void()> expired)
    : loop_(loop), timer_(new uv_timer_t), expired_(std::move(expired)) {
  uv_timer_init(loop_, timer_);
  timer_->data = this;
}

DeadlineTimer::~DeadlineTimer() {
  uv_close(reinterpret_cast<uv_handle_t*>(timer_),
           [](uv_handle_t* handle) { delete reinterpret_cast<uv_timer_t*>(handle); });
}

void DeadlineTimer::Start(int ms) {
  // libuv counts a timer from the loop's cached time, which is as old as the loop's last run:
  // for a save after a long compile, that would put the deadline in the past.
  uv_update_time(loop_);
  uv_timer_start(
      timer_, [](uv_timer_t* timer) { static_cast<DeadlineTimer*>(timer->data)->expired_(); }, ms,
      0);
}

void DeadlineTimer::Stop() { uv_timer_stop(timer_); }

}  // namespace ddcc
