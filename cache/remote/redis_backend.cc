// Lifetime: hiredis frees a context itself after a failed connect or a lost connection, calling
// the reply callbacks still waiting with no reply, then (if it was connected) OnDisconnect;
// ddcc frees it on a timeout or a refused AUTH/SELECT. Every path ends in Finish, which answers
// the command under way exactly once.
#include "cache/remote/redis_backend.h"

#include <hiredis/async.h>
#include <hiredis/hiredis.h>

#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "cache/remote/redis_uv.h"

namespace ddcc {
namespace {

std::string KeyName(const Digest& key) { return absl::StrCat("ddcc:", key.Hex()); }

RedisBackend* BackendOf(const redisAsyncContext* context) {
  return static_cast<RedisBackend*>(context->data);
}

}  // namespace

RedisBackend::RedisBackend(const RemoteSpec& spec, uv_loop_t* loop)
    : spec_(spec), loop_(loop), timer_(loop, [this] { Drop(TimedOut(spec_, connected_)); }) {}

RedisBackend::~RedisBackend() { Drop(absl::CancelledError("closing")); }

void RedisBackend::StartGet(const Digest& key, GetDone done) {
  std::string name = KeyName(key);
  Start({"GET", name},
        [this, name, done = std::move(done)](absl::StatusOr<const redisReply*> reply) {
          if (!reply.ok()) return done(reply.status());
          if ((*reply)->type == REDIS_REPLY_NIL) return done(absl::NotFoundError(name));
          if ((*reply)->type != REDIS_REPLY_STRING) {
            return done(absl::UnavailableError(absl::StrCat(RedactUrl(spec_.url), ": GET answered ",
                                                            "something other than a string")));
          }
          done(std::string((*reply)->str, (*reply)->len));
        });
}

void RedisBackend::StartPut(const Digest& key, absl::string_view bytes, PutDone done) {
  Start({"SET", KeyName(key), bytes},
        [this, done = std::move(done)](absl::StatusOr<const redisReply*> reply) {
          if (!reply.ok()) return done(reply.status());
          if ((*reply)->type != REDIS_REPLY_STATUS) {
            return done(absl::UnavailableError(
                absl::StrCat(RedactUrl(spec_.url), ": SET answered something other than OK")));
          }
          done(absl::OkStatus());
        });
}

void RedisBackend::Start(std::initializer_list<absl::string_view> command, ReplyDone done) {
  pending_ = std::move(done);
  if (context_ == nullptr) {
    if (absl::Status connected = Connect(); !connected.ok()) return Finish(connected);
  }
  timer_.Start(connected_ ? spec_.timeout_ms : spec_.connect_timeout_ms);
  std::vector<const char*> argv;
  std::vector<size_t> lengths;
  for (absl::string_view arg : command) {
    argv.push_back(arg.data());
    lengths.push_back(arg.size());
  }
  // hiredis copies the command into its output buffer here.
  if (redisAsyncCommandArgv(context_, OnReply, nullptr, static_cast<int>(argv.size()), argv.data(),
                            lengths.data()) != REDIS_OK) {
    Drop(absl::InternalError(absl::StrCat(RedactUrl(spec_.url), ": hiredis refused a command")));
  }
}

// Starts connecting, with AUTH and SELECT queued ahead of the first command: they go out as
// soon as the connection is up, in one round trip with it.
absl::Status RedisBackend::Connect() {
  absl::StatusOr<RedisAddress> address = ParseRedisUrl(spec_.url);
  if (!address.ok()) return address.status();
  redisAsyncContext* context = redisAsyncConnect(address->host.c_str(), address->port);
  if (context == nullptr) return absl::ResourceExhaustedError("hiredis could not allocate");
  if (context->err != 0) {
    absl::Status status =
        absl::UnavailableError(absl::StrCat(RedactUrl(spec_.url), ": ", context->errstr));
    redisAsyncFree(context);
    return status;
  }
  if (AttachRedisToLoop(context, loop_) != REDIS_OK) {
    redisAsyncFree(context);
    return absl::InternalError("cannot watch the Redis connection");
  }
  context->data = this;
  redisAsyncSetConnectCallback(context, OnConnect);
  redisAsyncSetDisconnectCallback(context, OnDisconnect);
  context_ = context;
  connected_ = false;
  if (!address->password.empty()) {
    std::vector<const char*> argv = {"AUTH"};
    if (!address->user.empty()) argv.push_back(address->user.c_str());
    argv.push_back(address->password.c_str());
    redisAsyncCommandArgv(context_, OnSetupReply, nullptr, static_cast<int>(argv.size()),
                          argv.data(), nullptr);
  }
  if (address->db != 0) {
    std::string db = absl::StrCat(address->db);
    const char* argv[] = {"SELECT", db.c_str()};
    redisAsyncCommandArgv(context_, OnSetupReply, nullptr, 2, argv, nullptr);
  }
  return absl::OkStatus();
}

void RedisBackend::Finish(absl::StatusOr<const redisReply*> reply) {
  if (!pending_) return;
  timer_.Stop();
  ReplyDone done = std::exchange(pending_, nullptr);
  done(reply);
}

// Answers the command under way with `why`, and closes the connection.
void RedisBackend::Drop(const absl::Status& why) {
  Finish(why);
  connected_ = false;
  // Inside a hiredis callback, hiredis defers the free until the callback returns.
  if (redisAsyncContext* context = std::exchange(context_, nullptr)) redisAsyncFree(context);
}

// The error is in the inner context: hiredis copies it to the outer one only later.
absl::Status RedisBackend::LostConnection(const redisAsyncContext& context) const {
  return absl::UnavailableError(absl::StrCat(
      RedactUrl(spec_.url), ": ", context.c.err != 0 ? context.c.errstr : "connection closed"));
}

void RedisBackend::OnConnect(const redisAsyncContext* context, int status) {
  RedisBackend* self = BackendOf(context);
  if (status != REDIS_OK) {
    self->context_ = nullptr;  // hiredis frees it on return
    self->connected_ = false;
    self->Finish(self->LostConnection(*context));
    return;
  }
  self->connected_ = true;
  // Connected within connect-timeout; the command now has its own timeout.
  if (self->pending_) self->timer_.Start(self->spec_.timeout_ms);
}

void RedisBackend::OnDisconnect(const redisAsyncContext* context, int) {
  RedisBackend* self = BackendOf(context);
  self->context_ = nullptr;
  self->connected_ = false;
  self->Finish(self->LostConnection(*context));
}

void RedisBackend::OnReply(redisAsyncContext* context, void* reply, void*) {
  RedisBackend* self = BackendOf(context);
  const auto* answer = static_cast<const redisReply*>(reply);
  if (answer == nullptr) {
    // Only while hiredis frees the context.
    self->context_ = nullptr;
    self->connected_ = false;
    self->Finish(self->LostConnection(*context));
  } else if (answer->type == REDIS_REPLY_ERROR) {
    self->Finish(absl::UnavailableError(absl::StrCat(
        RedactUrl(self->spec_.url), " said: ", absl::string_view(answer->str, answer->len))));
  } else {
    self->Finish(answer);
  }
}

// A refused AUTH or SELECT must not leave a connection that works on the wrong database.
void RedisBackend::OnSetupReply(redisAsyncContext* context, void* reply, void*) {
  const auto* answer = static_cast<const redisReply*>(reply);
  if (answer == nullptr || answer->type != REDIS_REPLY_ERROR) return;
  BackendOf(context)->Drop(
      absl::UnavailableError(absl::StrCat(RedactUrl(BackendOf(context)->spec_.url),
                                          " said: ", absl::string_view(answer->str, answer->len))));
}

}  // namespace ddcc
