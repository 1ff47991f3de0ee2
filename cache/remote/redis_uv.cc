#include "cache/remote/redis_uv.h"

namespace ddcc {
namespace {

struct RedisEvents {
  uv_poll_t poll;
  redisAsyncContext* context;  // nullptr once hiredis has let go of it
  int events = 0;
};

RedisEvents* EventsOf(void* data) { return static_cast<RedisEvents*>(data); }

void OnPoll(uv_poll_t* poll, int status, int events) {
  RedisEvents* self = EventsOf(poll->data);
  if (self->context == nullptr) return;
  // libuv stops the handle after reporting an error (a refused connect, a reset); a read lets
  // hiredis find the socket's error itself and fail the connection.
  if (status < 0 || (events & UV_READABLE)) redisAsyncHandleRead(self->context);
  // The read may have freed the context, which clears self->context through Cleanup.
  if (status == 0 && self->context != nullptr && (events & UV_WRITABLE)) {
    redisAsyncHandleWrite(self->context);
  }
}

void Watch(RedisEvents* self, int events) {
  self->events = events;
  if (events != 0) {
    uv_poll_start(&self->poll, events, OnPoll);
  } else {
    uv_poll_stop(&self->poll);
  }
}

void AddRead(void* data) { Watch(EventsOf(data), EventsOf(data)->events | UV_READABLE); }
void DelRead(void* data) { Watch(EventsOf(data), EventsOf(data)->events & ~UV_READABLE); }
void AddWrite(void* data) { Watch(EventsOf(data), EventsOf(data)->events | UV_WRITABLE); }
void DelWrite(void* data) { Watch(EventsOf(data), EventsOf(data)->events & ~UV_WRITABLE); }

void Cleanup(void* data) {
  RedisEvents* self = EventsOf(data);
  self->context = nullptr;
  uv_close(reinterpret_cast<uv_handle_t*>(&self->poll),
           [](uv_handle_t* handle) { delete EventsOf(handle->data); });
}

}  // namespace

int AttachRedisToLoop(redisAsyncContext* context, uv_loop_t* loop) {
  if (context->ev.data != nullptr) return REDIS_ERR;
  auto* self = new RedisEvents{.poll = {}, .context = context};
  if (uv_poll_init(loop, &self->poll, context->c.fd) != 0) {
    delete self;
    return REDIS_ERR;
  }
  self->poll.data = self;
  context->ev.data = self;
  context->ev.addRead = AddRead;
  context->ev.delRead = DelRead;
  context->ev.addWrite = AddWrite;
  context->ev.delWrite = DelWrite;
  context->ev.cleanup = Cleanup;
  return REDIS_OK;
}

}  // namespace ddcc
