// Drives a hiredis asynchronous connection from a libuv loop. Debian's hiredis (0.14) ships an
// adapter for this, <hiredis/adapters/libuv.h>, but it drops the errors libuv reports on the
// socket, so a refused connection would only end at its timeout, and it leaks on a failed
// attach; this one passes them to hiredis, which then reports the failure at once.
#pragma once

#include <hiredis/async.h>
#include <uv.h>

namespace ddcc {

// REDIS_OK or REDIS_ERR, as the adapters' Attach functions. The events go away with the
// context: hiredis calls back to close them when the context is freed.
int AttachRedisToLoop(redisAsyncContext* context, uv_loop_t* loop);

}  // namespace ddcc
