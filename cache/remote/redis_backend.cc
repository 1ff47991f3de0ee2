// Every path ends in Finish, which answers the command under way exactly once. A failure closes
// the connection; the next command opens a new one.
#include "cache/remote/redis_backend.h"

#include <hiredis/hiredis.h>

#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"

namespace ddcc {
namespace {

std::string KeyName(const Digest& key) { return absl::StrCat("ddcc:", key.Hex()); }

// A command in the Redis protocol.
std::string Formatted(const std::vector<absl::string_view>& command) {
  std::vector<const char*> argv;
  std::vector<size_t> lengths;
  for (absl::string_view arg : command) {
    argv.push_back(arg.data());
    lengths.push_back(arg.size());
  }
  char* text = nullptr;
  int length =
      redisFormatCommandArgv(&text, static_cast<int>(argv.size()), argv.data(), lengths.data());
  std::string formatted = length > 0 ? std::string(text, length) : "";
  redisFreeCommand(text);
  return formatted;
}

}  // namespace

RedisBackend::RedisBackend(const RemoteSpec& spec, uv_loop_t* loop)
    : spec_(spec),
      loop_(loop),
      timer_(loop,
             [this] { Drop(TimedOut(spec_, connection_ != nullptr && connection_->ready())); }),
      reader_(nullptr, redisReaderFree) {}

RedisBackend::~RedisBackend() { Drop(absl::CancelledError("closing")); }

void RedisBackend::StartGet(const Digest& key, GetDone done) {
  std::string name = KeyName(key);
  Start({"GET", name}, [this, name,
                        done = std::move(done)](absl::StatusOr<const redisReply*> reply) {
    if (!reply.ok()) return done(reply.status());
    if ((*reply)->type == REDIS_REPLY_NIL) return done(absl::NotFoundError(name));
    if ((*reply)->type != REDIS_REPLY_STRING) {
      return done(absl::UnavailableError(Describe("GET answered something other than a string")));
    }
    done(std::string((*reply)->str, (*reply)->len));
  });
}

void RedisBackend::StartPut(const Digest& key, absl::string_view bytes, PutDone done) {
  Start({"SET", KeyName(key), bytes},
        [this, done = std::move(done)](absl::StatusOr<const redisReply*> reply) {
          if (!reply.ok()) return done(reply.status());
          if ((*reply)->type != REDIS_REPLY_STATUS) {
            return done(absl::UnavailableError(Describe("SET answered something other than OK")));
          }
          done(absl::OkStatus());
        });
}

void RedisBackend::Start(std::initializer_list<absl::string_view> command, ReplyDone done) {
  pending_ = std::move(done);
  if (connection_ == nullptr) {
    if (absl::Status connected = Connect(); !connected.ok()) return Drop(connected);
  }
  std::string formatted = Formatted(command);
  sending_ = formatted.size();
  if (connection_->ready()) {
    timer_.Start(spec_.timeout_ms, sending_);
  } else {
    timer_.Start(spec_.connect_timeout_ms);
  }
  if (absl::Status sent = connection_->Write(std::move(formatted)); !sent.ok()) {
    Drop(absl::UnavailableError(Describe(sent.message())));
  }
}

// Starts connecting, with AUTH and SELECT queued ahead of the first command: they go out as
// soon as the connection is ready, in one round trip with it.
absl::Status RedisBackend::Connect() {
  absl::StatusOr<RedisAddress> address = ParseRedisUrl(spec_.url);
  if (!address.ok()) return address.status();
  absl::StatusOr<sockaddr_storage> peer = ResolvePeer(loop_, address->host, address->port);
  if (!peer.ok()) return absl::UnavailableError(Describe(peer.status().message()));
  std::optional<TlsSettings> tls;
  if (address->tls) tls = TlsSettingsOf(spec_, address->host);
  absl::StatusOr<std::unique_ptr<StreamConnection>> opened = StreamConnection::Open(
      loop_, *peer, std::move(tls),
      {.ready =
           [this] {
             // Connected within connect-timeout; the command now has its own timeout.
             if (pending_) timer_.Start(spec_.timeout_ms, sending_);
           },
       .received = [this](absl::string_view bytes) { Received(bytes); },
       .ended =
           [this](const absl::Status& why) {
             Drop(absl::UnavailableError(Describe(why.ok() ? "connection closed" : why.message())));
           }});
  if (!opened.ok()) return absl::UnavailableError(Describe(opened.status().message()));
  connection_ = *std::move(opened);
  reader_.reset(redisReaderCreate());
  if (reader_ == nullptr) return absl::ResourceExhaustedError("hiredis could not allocate");
  setup_replies_ = 0;
  std::vector<std::vector<absl::string_view>> setup;
  if (!address->password.empty()) {
    setup.push_back({"AUTH"});
    if (!address->user.empty()) setup.back().push_back(address->user);
    setup.back().push_back(address->password);
  }
  const std::string db = absl::StrCat(address->db);
  if (address->db != 0) setup.push_back({"SELECT", db});
  for (const auto& command : setup) {
    if (absl::Status sent = connection_->Write(Formatted(command)); !sent.ok()) return sent;
    ++setup_replies_;
  }
  return absl::OkStatus();
}

void RedisBackend::Received(absl::string_view bytes) {
  timer_.Received(bytes.size());
  if (redisReaderFeed(reader_.get(), bytes.data(), bytes.size()) != REDIS_OK) {
    return Drop(absl::UnavailableError(Describe(reader_->errstr)));
  }
  while (true) {
    void* reply = nullptr;
    if (redisReaderGetReply(reader_.get(), &reply) != REDIS_OK) {
      return Drop(absl::UnavailableError(Describe(reader_->errstr)));
    }
    if (reply == nullptr) return;
    std::unique_ptr<redisReply, void (*)(void*)> owned(static_cast<redisReply*>(reply),
                                                       freeReplyObject);
    // Replied may close the connection, and its reader with it.
    const StreamConnection* connection = connection_.get();
    Replied(*owned);
    if (connection_.get() != connection || !pending_) return;
  }
}

void RedisBackend::Replied(const redisReply& reply) {
  const bool error = reply.type == REDIS_REPLY_ERROR;
  const std::string said =
      error ? absl::StrCat(RedactUrl(spec_.url), " said: ", absl::string_view(reply.str, reply.len))
            : "";
  if (setup_replies_ > 0) {
    --setup_replies_;
    // A refused AUTH or SELECT must not leave a connection that works on the wrong database.
    if (error) Drop(absl::UnavailableError(said));
    return;
  }
  if (error) return Finish(absl::UnavailableError(said));
  Finish(&reply);
}

void RedisBackend::Finish(absl::StatusOr<const redisReply*> reply) {
  if (!pending_) return;
  timer_.Stop();
  ReplyDone done = std::exchange(pending_, nullptr);
  done(reply);
}

// Closes the connection first: `done` may start the next command.
void RedisBackend::Drop(const absl::Status& why) {
  connection_.reset();
  reader_.reset();
  setup_replies_ = 0;
  Finish(why);
}

std::string RedisBackend::Describe(absl::string_view what) const {
  return absl::StrCat(RedactUrl(spec_.url), ": ", what);
}

}  // namespace ddcc
