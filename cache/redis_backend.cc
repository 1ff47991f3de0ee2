#include "cache/redis_backend.h"

#include <errno.h>
#include <hiredis/hiredis.h>
#include <sys/time.h>

#include <vector>

#include "absl/strings/str_cat.h"

namespace ddcc {
namespace {

timeval Milliseconds(int ms) { return {ms / 1000, (ms % 1000) * 1000}; }

std::string KeyName(const Digest& key) { return absl::StrCat("ddcc:", key.Hex()); }

}  // namespace

void RedisBackend::ContextDeleter::operator()(redisContext* context) const { redisFree(context); }
void RedisBackend::ReplyDeleter::operator()(redisReply* reply) const { freeReplyObject(reply); }

RedisBackend::RedisBackend(const RemoteSpec& spec) : spec_(spec) {}
RedisBackend::~RedisBackend() = default;

// hiredis reports both a connect that outlasts its timeout and a read or write that outlasts
// redisSetTimeout's as REDIS_ERR_IO, telling them apart from other failures only by errno.
absl::Status RedisBackend::NetworkError(int saved_errno) const {
  std::string message =
      absl::StrCat(RedactUrl(spec_.url), ": ", context_ ? context_->errstr : "no context");
  if (context_ && context_->err == REDIS_ERR_IO &&
      (saved_errno == EAGAIN || saved_errno == EWOULDBLOCK || saved_errno == ETIMEDOUT ||
       saved_errno == EINPROGRESS)) {
    return absl::DeadlineExceededError(message);
  }
  return absl::UnavailableError(message);
}

absl::Status RedisBackend::Connect() {
  absl::StatusOr<RedisAddress> address = ParseRedisUrl(spec_.url);
  if (!address.ok()) return address.status();
  errno = 0;
  context_.reset(redisConnectWithTimeout(address->host.c_str(), address->port,
                                         Milliseconds(spec_.connect_timeout_ms)));
  if (!context_) return absl::ResourceExhaustedError("hiredis could not allocate a context");
  if (context_->err != 0) {
    absl::Status status = NetworkError(errno);
    context_.reset();
    return status;
  }
  if (redisSetTimeout(context_.get(), Milliseconds(spec_.timeout_ms)) != REDIS_OK) {
    absl::Status status = NetworkError(errno);
    context_.reset();
    return status;
  }
  // A refused AUTH or SELECT must not leave a connection that works on the wrong database.
  auto setup_failed = [this](absl::Status status) {
    context_.reset();
    return status;
  };
  if (!address->password.empty()) {
    absl::StatusOr<ReplyPtr> auth = address->user.empty()
                                        ? Command({"AUTH", address->password})
                                        : Command({"AUTH", address->user, address->password});
    if (!auth.ok()) return setup_failed(auth.status());
  }
  if (address->db != 0) {
    absl::StatusOr<ReplyPtr> select = Command({"SELECT", absl::StrCat(address->db)});
    if (!select.ok()) return setup_failed(select.status());
  }
  return absl::OkStatus();
}

absl::StatusOr<RedisBackend::ReplyPtr> RedisBackend::Command(
    std::initializer_list<absl::string_view> args) {
  if (!context_) {
    if (absl::Status connected = Connect(); !connected.ok()) return connected;
  }
  std::vector<const char*> argv;
  std::vector<size_t> lengths;
  for (absl::string_view arg : args) {
    argv.push_back(arg.data());
    lengths.push_back(arg.size());
  }
  errno = 0;
  ReplyPtr reply(static_cast<redisReply*>(redisCommandArgv(
      context_.get(), static_cast<int>(argv.size()), argv.data(), lengths.data())));
  if (!reply) {
    // The connection is in an unknown state: half a reply may still be on its way.
    absl::Status status = NetworkError(errno);
    context_.reset();
    return status;
  }
  if (reply->type == REDIS_REPLY_ERROR) {
    return absl::UnavailableError(absl::StrCat(RedactUrl(spec_.url), " said: ", reply->str));
  }
  return reply;
}

absl::StatusOr<std::string> RedisBackend::Get(const Digest& key) {
  absl::StatusOr<ReplyPtr> reply = Command({"GET", KeyName(key)});
  if (!reply.ok()) return reply.status();
  if ((*reply)->type == REDIS_REPLY_NIL) return absl::NotFoundError(KeyName(key));
  if ((*reply)->type != REDIS_REPLY_STRING) {
    return absl::UnavailableError(
        absl::StrCat(RedactUrl(spec_.url), ": GET answered a non-string"));
  }
  return std::string((*reply)->str, (*reply)->len);
}

absl::Status RedisBackend::Put(const Digest& key, absl::string_view bytes) {
  absl::StatusOr<ReplyPtr> reply = Command({"SET", KeyName(key), bytes});
  if (!reply.ok()) return reply.status();
  if ((*reply)->type != REDIS_REPLY_STATUS) {
    return absl::UnavailableError(
        absl::StrCat(RedactUrl(spec_.url), ": SET answered a non-status"));
  }
  return absl::OkStatus();
}

}  // namespace ddcc
