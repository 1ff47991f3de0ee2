#include "cache/helper/remote_pool.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "cache/remote/remote_backoff.h"
#include "cache/util/files.h"
#include "cache/util/log.h"

namespace ddcc {
namespace {

// Enough for the compiles of a build on a large machine asking at once; a server sees at most
// this many connections from one helper.
constexpr size_t kMaxConnections = 8;
// Uploads never take every connection: lookups, which a compile waits for, go first.
constexpr int kMaxUploadsAtOnce = 2;
// What a build's misses may queue while the remote is slower than the compiler; beyond it, a
// compile uploads its entry itself.
constexpr size_t kMaxQueuedBytes = size_t{256} << 20;

}  // namespace

RemotePool::RemotePool(std::string name, uv_loop_t* loop, Maker make, UploadFailed upload_failed)
    : name_(std::move(name)),
      loop_(loop),
      soon_(new uv_idle_t),
      make_(std::move(make)),
      upload_failed_(std::move(upload_failed)) {
  uv_idle_init(loop_, soon_);
  soon_->data = this;
}

RemotePool::~RemotePool() {
  uv_close(reinterpret_cast<uv_handle_t*>(soon_),
           [](uv_handle_t* handle) { delete reinterpret_cast<uv_idle_t*>(handle); });
}

void RemotePool::Get(const Digest& key, RemoteBackend::GetDone done) {
  gets_.emplace_back(key, std::move(done));
  Soon();
}

bool RemotePool::Upload(const Digest& key, std::string bytes) {
  if (NowNs() < uploads_resume_ns_) {
    Log(absl::StrCat("storage helper: upload of ", key.Hex(), " to ", name_,
                     " dropped: an upload failed less than ", kRemoteBackoffNs / 1'000'000'000,
                     " s ago"));
    return true;
  }
  if (upload_bytes_ + bytes.size() > kMaxQueuedBytes) return false;
  upload_bytes_ += bytes.size();
  uploads_.push_back(PendingUpload{key, std::move(bytes)});
  Soon();
  return true;
}

const std::string* RemotePool::Uploading(const Digest& key) const {
  // The newest first: a later upload of a key replaces an earlier one.
  for (auto upload = uploads_.rbegin(); upload != uploads_.rend(); ++upload) {
    if (upload->key == key) return &upload->bytes;
  }
  return nullptr;
}

bool RemotePool::idle() const { return gets_.empty() && uploads_.empty(); }

void RemotePool::Soon() {
  uv_idle_start(soon_, [](uv_idle_t* idle) {
    uv_idle_stop(idle);
    static_cast<RemotePool*>(idle->data)->Dispatch();
  });
}

void RemotePool::Dispatch() {
  broken_.clear();
  while (!gets_.empty()) {
    Connection* connection = Free();
    if (connection == nullptr) return;
    auto [key, done] = std::move(gets_.front());
    gets_.pop_front();
    connection->busy = true;
    connection->backend->StartGet(
        key, [this, connection, done = std::move(done)](absl::StatusOr<std::string> answer) {
          Done(connection, absl::IsNotFound(answer.status()) ? absl::OkStatus() : answer.status());
          done(std::move(answer));
        });
  }
  for (PendingUpload& upload : uploads_) {
    if (uploads_under_way_ >= kMaxUploadsAtOnce) return;
    if (upload.started) continue;
    Connection* connection = Free();
    if (connection == nullptr) return;
    connection->busy = true;
    upload.started = true;
    ++uploads_under_way_;
    const Digest key = upload.key;
    connection->backend->StartPut(key, upload.bytes, [this, connection, key](absl::Status put) {
      UploadDone(connection, key, put);
    });
  }
}

// A connection with nothing under way, made if there is room for one; else nullptr.
RemotePool::Connection* RemotePool::Free() {
  for (auto& connection : connections_) {
    if (!connection->busy) return connection.get();
  }
  if (connections_.size() >= kMaxConnections) return nullptr;
  connections_.push_back(std::make_unique<Connection>(Connection{make_(), false}));
  return connections_.back().get();
}

// A connection that failed is let go of (on the next turn: this runs inside its callback); the
// next request gets a new one.
void RemotePool::Done(Connection* connection, const absl::Status& status) {
  connection->busy = false;
  if (!status.ok()) {
    auto found = std::find_if(connections_.begin(), connections_.end(),
                              [connection](const auto& each) { return each.get() == connection; });
    broken_.push_back(std::move((*found)->backend));
    connections_.erase(found);
  }
  Soon();
}

void RemotePool::UploadDone(Connection* connection, const Digest& key, const absl::Status& status) {
  --uploads_under_way_;
  auto upload = std::find_if(uploads_.begin(), uploads_.end(), [&key](const PendingUpload& each) {
    return each.started && each.key == key;
  });
  upload_bytes_ -= upload->bytes.size();
  uploads_.erase(upload);
  if (!status.ok()) {
    // The remote is likely down: the queue would cost a timeout per entry for nothing.
    const size_t dropped = std::count_if(uploads_.begin(), uploads_.end(),
                                         [](const auto& each) { return !each.started; });
    Log(absl::StrCat("storage helper: upload of ", key.Hex(), " to ", name_, " failed (",
                     status.ToString(), "); ", dropped,
                     " queued uploads dropped, and those of the next ",
                     kRemoteBackoffNs / 1'000'000'000, " s"));
    std::erase_if(uploads_, [this](const PendingUpload& each) {
      if (each.started) return false;
      upload_bytes_ -= each.bytes.size();
      return true;
    });
    uploads_resume_ns_ = NowNs() + kRemoteBackoffNs;
    upload_failed_(status);
  }
  Done(connection, status);
}

}  // namespace ddcc
