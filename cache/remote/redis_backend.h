// A remote store on Redis, through hiredis' asynchronous API on a libuv loop: each entry is one
// string value under "ddcc:<key in hex>". Eviction is the server's business
// (maxmemory-policy allkeys-lru).
#pragma once

#include <uv.h>

#include <functional>
#include <initializer_list>
#include <string>

#include "cache/remote/remote.h"
#include "cache/remote/remote_spec.h"
#include "cache/util/deadline_timer.h"

struct redisAsyncContext;
struct redisReply;

namespace ddcc {

class RedisBackend : public RemoteBackend {
 public:
  // Connects on first use, not here: most compiles hit locally and never need the server.
  // `spec.url` must have passed ParseRemoteStorage. The loop must be run after the backend is
  // destroyed, to close its handles.
  RedisBackend(const RemoteSpec& spec, uv_loop_t* loop);
  ~RedisBackend() override;
  RedisBackend(const RedisBackend&) = delete;
  RedisBackend& operator=(const RedisBackend&) = delete;

  void StartGet(const Digest& key, GetDone done) override;
  void StartPut(const Digest& key, absl::string_view bytes, PutDone done) override;

 private:
  // The reply to the command under way (not an error reply), or why there is none. The reply
  // lives only as long as the call.
  using ReplyDone = std::function<void(absl::StatusOr<const redisReply*>)>;

  void Start(std::initializer_list<absl::string_view> command, ReplyDone done);
  absl::Status Connect();
  void Finish(absl::StatusOr<const redisReply*> reply);
  void Drop(const absl::Status& why);
  absl::Status LostConnection(const redisAsyncContext& context) const;

  static void OnConnect(const redisAsyncContext* context, int status);
  static void OnDisconnect(const redisAsyncContext* context, int status);
  static void OnReply(redisAsyncContext* context, void* reply, void* data);
  static void OnSetupReply(redisAsyncContext* context, void* reply, void* data);

  RemoteSpec spec_;
  uv_loop_t* loop_;
  DeadlineTimer timer_;                   // of the command under way
  redisAsyncContext* context_ = nullptr;  // hiredis frees it; nullptr once it has
  bool connected_ = false;
  ReplyDone pending_;
};

}  // namespace ddcc
