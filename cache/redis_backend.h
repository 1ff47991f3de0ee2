// A remote store on Redis (hiredis' synchronous API): each entry is one string value under
// "ddcc:<key in hex>". Eviction is the server's business (maxmemory-policy allkeys-lru).
#pragma once

#include <initializer_list>
#include <memory>
#include <string>

#include "cache/remote.h"
#include "cache/remote_spec.h"

struct redisContext;
struct redisReply;

namespace ddcc {

class RedisBackend : public RemoteBackend {
 public:
  // Connects on first use, not here: most compiles hit locally and never need the server.
  // `spec.url` must have passed ParseRemoteStorage.
  explicit RedisBackend(const RemoteSpec& spec);
  ~RedisBackend() override;

  absl::StatusOr<std::string> Get(const Digest& key) override;
  absl::Status Put(const Digest& key, absl::string_view bytes) override;

 private:
  struct ContextDeleter {
    void operator()(redisContext* context) const;
  };
  struct ReplyDeleter {
    void operator()(redisReply* reply) const;
  };
  using ReplyPtr = std::unique_ptr<redisReply, ReplyDeleter>;

  absl::Status Connect();
  // A reply that is not an error reply. After a network failure the connection is dropped.
  absl::StatusOr<ReplyPtr> Command(std::initializer_list<absl::string_view> args);
  absl::Status NetworkError(int saved_errno) const;

  RemoteSpec spec_;
  std::unique_ptr<redisContext, ContextDeleter> context_;
};

}  // namespace ddcc
