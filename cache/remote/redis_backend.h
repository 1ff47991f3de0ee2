// A remote store on Redis: each entry is one string value under "ddcc:<key in hex>". Eviction is
// the server's business (maxmemory-policy allkeys-lru). The commands go over a StreamConnection
// (TCP, and TLS for rediss://), written and read with hiredis' protocol functions.
#pragma once

#include <uv.h>

#include <functional>
#include <initializer_list>
#include <memory>
#include <string>

#include "cache/remote/remote.h"
#include "cache/remote/remote_spec.h"
#include "cache/remote/request_timer.h"
#include "cache/remote/stream_connection.h"

struct redisReader;
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
  void Received(absl::string_view bytes);
  void Replied(const redisReply& reply);
  void Finish(absl::StatusOr<const redisReply*> reply);
  void Drop(const absl::Status& why);
  std::string Describe(absl::string_view what) const;

  RemoteSpec spec_;
  uv_loop_t* loop_;
  RequestTimer timer_;  // of the command under way
  size_t sending_ = 0;  // its size
  std::unique_ptr<StreamConnection> connection_;
  std::unique_ptr<redisReader, void (*)(redisReader*)> reader_;
  int setup_replies_ = 0;  // AUTH and SELECT replies still to come before the command's
  ReplyDone pending_;
};

}  // namespace ddcc
