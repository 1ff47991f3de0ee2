// One remote as the storage helper keeps it: a few connections held open from one compile to the
// next, lookups served before uploads, and a queue of uploads that go out in the background, so
// that a compile's miss never waits for its PUT.
#pragma once

#include <uv.h>

#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "cache/remote/remote.h"
#include "cache/util/hash.h"

namespace ddcc {

class RemotePool {
 public:
  using Maker = std::function<std::unique_ptr<RemoteBackend>()>;
  // Called for each upload that failed (not for lookups: the compile that asked counts those).
  using UploadFailed = std::function<void(const absl::Status&)>;

  // `name` is the remote's URL without its password, for the log. The loop must be run after
  // the pool is destroyed, to close its handles.
  RemotePool(std::string name, uv_loop_t* loop, Maker make, UploadFailed upload_failed);
  ~RemotePool();
  RemotePool(const RemotePool&) = delete;
  RemotePool& operator=(const RemotePool&) = delete;

  void Get(const Digest& key, RemoteBackend::GetDone done);
  // Queues the upload; false when the queue is full.
  bool Upload(const Digest& key, std::string bytes);
  // The bytes of an upload of `key` that is queued or under way, else nullptr: what a lookup of
  // it is answered with, since the remote may not have it yet.
  const std::string* Uploading(const Digest& key) const;
  // Nothing asked and nothing to upload.
  bool idle() const;

 private:
  struct Connection {
    std::unique_ptr<RemoteBackend> backend;
    bool busy = false;
  };
  struct PendingUpload {
    Digest key;
    std::string bytes;
    bool started = false;
  };

  void Soon();
  void Dispatch();
  Connection* Free();
  void Done(Connection* connection, const absl::Status& status);
  void UploadDone(Connection* connection, const Digest& key, const absl::Status& status);

  std::string name_;
  uv_loop_t* loop_;
  uv_idle_t* soon_;  // runs Dispatch on the loop's next turn, outside any backend's callback
  Maker make_;
  UploadFailed upload_failed_;
  std::vector<std::unique_ptr<Connection>> connections_;
  std::vector<std::unique_ptr<RemoteBackend>> broken_;  // failed: destroyed on the next turn
  std::deque<std::pair<Digest, RemoteBackend::GetDone>> gets_;
  std::deque<PendingUpload> uploads_;
  size_t upload_bytes_ = 0;
  int uploads_under_way_ = 0;
  int64_t uploads_resume_ns_ = 0;  // after a failed upload, uploads are dropped until then
};

}  // namespace ddcc
