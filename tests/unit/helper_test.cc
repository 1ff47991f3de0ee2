// The storage helper, on a thread and loop of its own, and a compile's side of it, with remotes
// in memory.
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <chrono>
#include <future>
#include <map>
#include <mutex>
#include <thread>

#include "cache/helper/helper_backend.h"
#include "cache/helper/helper_server.h"
#include "cache/store/manifest.h"
#include "cache/util/files.h"
#include "tests/unit/temp_dir_test.h"

namespace ddcc {
namespace {

struct FakeRemote {
  std::map<std::string, std::string> values;  // by the key's hex
  int gets = 0;
  int puts = 0;
  int backends = 0;   // made for it: connections, as a server sees them
  bool hold = false;  // requests wait in `held` until answered by the test
  std::vector<std::function<void()>> held;
};

class FakeBackend : public RemoteBackend {
 public:
  explicit FakeBackend(FakeRemote& remote) : remote_(remote) { ++remote_.backends; }

  void StartGet(const Digest& key, GetDone done) override {
    ++remote_.gets;
    auto answer = [this, key, done = std::move(done)] {
      auto found = remote_.values.find(key.Hex());
      if (found == remote_.values.end()) return done(absl::NotFoundError(key.Hex()));
      done(found->second);
    };
    if (remote_.hold) return remote_.held.push_back(answer);
    answer();
  }

  void StartPut(const Digest& key, absl::string_view bytes, PutDone done) override {
    ++remote_.puts;
    auto answer = [this, key, value = std::string(bytes), done = std::move(done)] {
      remote_.values[key.Hex()] = value;
      done(absl::OkStatus());
    };
    if (remote_.hold) return remote_.held.push_back(answer);
    answer();
  }

 private:
  FakeRemote& remote_;
};

Digest Key(uint8_t n) {
  Digest key;
  key.bytes[0] = n;
  return key;
}

class HelperTest : public TempDirTest {
 protected:
  void SetUp() override {
    TempDirTest::SetUp();
    specs_ = *ParseRemoteStorage(
        "redis://127.0.0.1:1|connect-timeout=50|timeout=100 redis://127.0.0.1:2|read-only");
    socket_ = dir_ + "/helper.sock";
  }

  void TearDown() override {
    backends_.clear();
    if (server_thread_.joinable()) {
      if (!finished_) OnServer([this] { server_.reset(); });
      server_thread_.join();
    }
    TempDirTest::TearDown();
  }

  // The helper on a thread of its own, with its own loop, as in its own process; the test's
  // thread is the compile's, which waits for each answer.
  void StartServer() {
    std::promise<bool> listening;
    server_thread_ = std::thread([this, &listening] {
      uv_loop_t loop;
      uv_loop_init(&loop);
      uv_async_init(&loop, &wake_,
                    [](uv_async_t* wake) { static_cast<HelperTest*>(wake->data)->RunTasks(); });
      wake_.data = this;
      uv_unref(reinterpret_cast<uv_handle_t*>(&wake_));  // the helper alone keeps the loop going
      HelperSettings settings{
          .remotes = specs_,
          .idle_timeout_ms = 0,
          .make = [this](const RemoteSpec& spec, uv_loop_t*) -> std::unique_ptr<RemoteBackend> {
            return std::make_unique<FakeBackend>(spec.url == specs_[0].url ? first_ : second_);
          },
          .upload_failed = [](const absl::Status&) {}};
      server_ = std::make_unique<HelperServer>(&loop, std::move(settings));
      listening.set_value(server_->Listen(socket_).ok());
      uv_run(&loop, UV_RUN_DEFAULT);  // until the helper has finished, or is gone
      {
        std::lock_guard<std::mutex> lock(tasks_mutex_);
        finished_ = true;
      }
      RunTasks();
      server_.reset();
      uv_close(reinterpret_cast<uv_handle_t*>(&wake_), nullptr);
      uv_run(&loop, UV_RUN_DEFAULT);
      EXPECT_EQ(uv_loop_close(&loop), 0);
    });
    ASSERT_TRUE(listening.get_future().get());
  }

  // Runs `task` on the helper's thread, between its events, and waits for it.
  void OnServer(std::function<void()> task) {
    std::promise<void> done;
    {
      std::lock_guard<std::mutex> lock(tasks_mutex_);
      if (finished_) return task();  // the helper's thread is past its loop
      tasks_.push_back([&task, &done] {
        task();
        done.set_value();
      });
      // Under the lock: the helper's thread closes the handle only once finished_ is set.
      uv_async_send(&wake_);
    }
    ASSERT_EQ(done.get_future().wait_for(std::chrono::seconds(10)), std::future_status::ready);
  }

  template <typename Read>
  auto OnServerRead(Read read) {
    decltype(read()) value{};
    OnServer([&] { value = read(); });
    return value;
  }

  void RunTasks() {
    std::vector<std::function<void()>> tasks;
    {
      std::lock_guard<std::mutex> lock(tasks_mutex_);
      tasks.swap(tasks_);
    }
    for (auto& task : tasks) task();
  }

  // A compile's backend for the `remote`th remote; the direct one talks to `direct_`.
  RemoteBackend& Client(uint8_t remote) {
    HelperChannel channel{.socket_path = socket_,
                          .remote = remote,
                          .direct = [this] { return std::make_unique<FakeBackend>(direct_); },
                          .absent = [this] { ++absent_; },
                          .stuck = [this] { ++stuck_; },
                          .given_up = given_up_};
    backends_.push_back(std::make_unique<HelperBackend>(specs_[remote], std::move(channel)));
    return *backends_.back();
  }

  // Through the helper (or the direct fake), a compile's request is answered once it settles.
  static absl::StatusOr<std::string> Get(RemoteBackend& backend, const Digest& key) {
    std::optional<absl::StatusOr<std::string>> answer;
    backend.StartGet(key, [&answer](absl::StatusOr<std::string> got) { answer = std::move(got); });
    backend.Settle();
    if (!answer) return absl::InternalError("not answered");
    return *answer;
  }

  static absl::Status Put(RemoteBackend& backend, const Digest& key, const std::string& bytes) {
    std::optional<absl::Status> answer;
    backend.StartPut(key, bytes, [&answer](absl::Status put) { answer = std::move(put); });
    backend.Settle();
    if (!answer) return absl::InternalError("not answered");
    return *answer;
  }

  // A socket listening where the helper's would, so that a connect succeeds, but nobody accepts
  // or answers: a stuck helper.
  int ListenSilently() {
    const int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::strncpy(address.sun_path, socket_.c_str(), sizeof(address.sun_path) - 1);
    EXPECT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
    EXPECT_EQ(listen(fd, 8), 0);
    return fd;
  }

  // Fails the test rather than hang when `done` (asked on the helper's thread) does not come
  // within seconds.
  void RunUntil(const std::function<bool()>& done) {
    const int64_t deadline = NowNs() + int64_t{5} * 1'000'000'000;
    while (!OnServerRead(done) && NowNs() < deadline) usleep(100);
    ASSERT_TRUE(OnServerRead(done));
  }

  // In the first remote: a manifest under `key` whose include sets lead to `results`, the
  // first the newest, with their bytes.
  void StoreManifest(const Digest& key,
                     const std::vector<std::pair<Digest, std::string>>& results) {
    Manifest manifest;
    for (auto result = results.rbegin(); result != results.rend(); ++result) {
      IncludeSet set;
      RecordedFile file;
      file.path = result->first.Hex();  // each set its own
      set.files.push_back(file);
      set.result = result->first;
      manifest.Add(set);
      first_.values[result->first.Hex()] = result->second;
    }
    first_.values[key.Hex()] = EncodeEntry(manifest.ToEntry(), 1, key);
  }

  std::vector<RemoteSpec> specs_;
  std::string socket_;
  // The helper's remotes, touched on its thread once it runs (OnServer); the direct one is the
  // compile's.
  FakeRemote first_, second_, direct_;
  int absent_ = 0, stuck_ = 0;
  std::shared_ptr<bool> given_up_ = std::make_shared<bool>(false);  // a compile's, shared
  std::unique_ptr<HelperServer> server_;
  std::thread server_thread_;
  uv_async_t wake_;
  std::mutex tasks_mutex_;
  std::vector<std::function<void()>> tasks_;
  bool finished_ = false;  // the helper's loop has ended
  std::vector<std::unique_ptr<RemoteBackend>> backends_;
};

TEST_F(HelperTest, LookupsGoThroughTheHelperOnConnectionsKeptOpen) {
  first_.values[Key(1).Hex()] = "one";
  second_.values[Key(2).Hex()] = "two";
  StartServer();
  for (int compile = 0; compile < 3; ++compile) {
    EXPECT_EQ(*Get(Client(0), Key(1)), "one");
    EXPECT_EQ(*Get(Client(1), Key(2)), "two");
    EXPECT_TRUE(absl::IsNotFound(Get(Client(0), Key(3)).status()));
  }
  EXPECT_EQ(OnServerRead([this] { return first_.gets; }), 6);
  // One connection served every compile.
  EXPECT_EQ(OnServerRead([this] { return first_.backends; }), 1);
  EXPECT_EQ(direct_.gets, 0);
  EXPECT_EQ(absent_ + stuck_, 0);
}

TEST_F(HelperTest, AnUploadIsQueuedAndServedBeforeItReachesTheRemote) {
  first_.hold = true;
  StartServer();
  EXPECT_TRUE(Put(Client(0), Key(1), "entry").ok());  // answered before the remote has it
  RunUntil([this] { return first_.held.size() == 1; });
  EXPECT_TRUE(OnServerRead([this] { return first_.values.empty(); }));
  EXPECT_EQ(*Get(Client(0), Key(1)), "entry");  // from the queue
  EXPECT_EQ(OnServerRead([this] { return first_.gets; }), 0);

  OnServer([this] { first_.held[0](); });
  EXPECT_EQ(OnServerRead([this] { return first_.values[Key(1).Hex()]; }), "entry");
  EXPECT_EQ(direct_.puts, 0);
}

TEST_F(HelperTest, AManifestPassedOnBringsTheNewestSetsResultUnasked) {
  StoreManifest(Key(1), {{Key(9), "newest"}, {Key(8), "older"}});
  StartServer();
  RemoteBackend& compile = Client(0);
  EXPECT_TRUE(Get(compile, Key(1)).ok());
  // Both results, before anyone asks; the offer is written as the newest arrives.
  RunUntil([this] { return first_.gets == 3; });
  // The newest set's result was offered: it is there without asking the helper.
  EXPECT_EQ(*Get(compile, Key(9)), "newest");
  EXPECT_EQ(OnServerRead([this] { return first_.gets; }), 3);
  // The older set's is kept in the helper: one round trip to it, none to the remote.
  EXPECT_EQ(*Get(compile, Key(8)), "older");
  EXPECT_EQ(OnServerRead([this] { return first_.gets; }), 3);
  // What was fetched ahead was for that compile: another one's lookup goes to the remote.
  EXPECT_EQ(*Get(Client(0), Key(9)), "newest");
  EXPECT_EQ(OnServerRead([this] { return first_.gets; }), 4);
  EXPECT_EQ(direct_.gets, 0);
}

TEST_F(HelperTest, ALookupOfAResultBeingFetchedAheadWaitsForIt) {
  StoreManifest(Key(1), {{Key(9), "result"}});
  first_.hold = true;
  StartServer();
  RemoteBackend& compile = Client(0);
  // The compile waits for its answers on a thread of its own while the test holds the remote.
  auto manifest = std::async(std::launch::async, [&] { return Get(compile, Key(1)); });
  RunUntil([this] { return first_.held.size() == 1; });
  OnServer([this] { first_.held[0](); });
  EXPECT_TRUE(manifest.get().ok());
  RunUntil([this] { return first_.held.size() == 2; });  // the result, held
  auto result = std::async(std::launch::async, [&] { return Get(compile, Key(9)); });
  EXPECT_EQ(result.wait_for(std::chrono::milliseconds(50)), std::future_status::timeout);
  OnServer([this] { first_.held[1](); });
  EXPECT_EQ(*result.get(), "result");
  EXPECT_EQ(OnServerRead([this] { return first_.gets; }), 2);
  // The compile asked first: nothing is offered after the answer.
  OnServer([this] { first_.hold = false; });
  EXPECT_EQ(*Get(compile, Key(9)), "result");
  EXPECT_EQ(OnServerRead([this] { return first_.gets; }), 3);
}

// The helper's hello goes with its first answer; where the remote takes longer, it goes alone
// first, before the compile would take the helper for stuck (its hello wait: 500 ms here, the
// answer's 2.25 s).
TEST_F(HelperTest, AHelperWaitingOnItsRemoteSaysHelloBeforeItsAnswer) {
  specs_ = *ParseRemoteStorage("redis://127.0.0.1:1|connect-timeout=50|timeout=2000");
  first_.values[Key(1).Hex()] = "one";
  first_.hold = true;
  StartServer();
  RemoteBackend& compile = Client(0);
  auto answer = std::async(std::launch::async, [&] { return Get(compile, Key(1)); });
  RunUntil([this] { return first_.held.size() == 1; });
  usleep(800'000);
  OnServer([this] { first_.held[0](); });
  EXPECT_EQ(answer.get().value_or("none"), "one");
  EXPECT_EQ(stuck_, 0);
  EXPECT_EQ(OnServerRead([this] { return first_.gets; }), 1);
}

TEST_F(HelperTest, ARemoteMarkedReadOnlyTakesNoUpload) {
  StartServer();
  EXPECT_TRUE(absl::IsPermissionDenied(Put(Client(1), Key(1), "entry")));
  EXPECT_EQ(OnServerRead([this] { return second_.puts; }), 0);
}

TEST_F(HelperTest, WithoutAHelperTheRemoteIsAskedDirectly) {
  direct_.values[Key(1).Hex()] = "direct";
  RemoteBackend& client = Client(0);
  EXPECT_EQ(*Get(client, Key(1)), "direct");
  EXPECT_EQ(absent_, 1);
  // And the rest of the compile's requests too, without trying the helper again.
  EXPECT_TRUE(Put(client, Key(2), "entry").ok());
  EXPECT_EQ(direct_.values[Key(2).Hex()], "entry");
  EXPECT_EQ(absent_, 1);
}

TEST_F(HelperTest, AHelperThatNeverSaysHelloIsStuck) {
  const int fd = ListenSilently();
  direct_.values[Key(1).Hex()] = "direct";
  EXPECT_EQ(*Get(Client(0), Key(1)), "direct");
  EXPECT_EQ(stuck_, 1);
  EXPECT_EQ(absent_, 0);
  close(fd);
}

TEST_F(HelperTest, ACompilesOtherRemotesDoNotWaitForAStuckHelperAgain) {
  const int fd = ListenSilently();
  direct_.values[Key(1).Hex()] = "direct";
  RemoteBackend& first = Client(0);
  RemoteBackend& second = Client(1);
  // Asked at once, as the layered store asks; the second backend shares the first's verdict.
  std::optional<absl::StatusOr<std::string>> answers[2];
  first.StartGet(Key(1), [&](absl::StatusOr<std::string> got) { answers[0] = got; });
  second.StartGet(Key(1), [&](absl::StatusOr<std::string> got) { answers[1] = got; });
  first.Settle();
  second.Settle();
  EXPECT_EQ(**answers[0], "direct");
  EXPECT_EQ(**answers[1], "direct");
  EXPECT_EQ(stuck_, 1);  // one wait for a hello, not one per remote
  close(fd);
}

// A helper of its own making at the socket: says hello, then sends `frames` after reading the
// compile's first request.
void ServeFrames(const std::string& socket_path, std::string frames, std::promise<void>* ready) {
  int listener = socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::strncpy(address.sun_path, socket_path.c_str(), sizeof(address.sun_path) - 1);
  bind(listener, reinterpret_cast<sockaddr*>(&address), sizeof(address));
  listen(listener, 8);
  ready->set_value();
  int fd = accept(listener, nullptr, nullptr);
  char buffer[4096];
  (void)!read(fd, buffer, sizeof(buffer));
  std::string out = EncodeFrame(HelperMessage::kHello, EncodeHello()) + frames;
  (void)!write(fd, out.data(), out.size());
  usleep(300'000);  // the compile reads what it got meanwhile
  close(fd);
  close(listener);
}

TEST_F(HelperTest, AHelperThatBreaksTheProtocolIsGivenUpAtOnce) {
  direct_.values[Key(1).Hex()] = "direct";
  const std::string offer =
      EncodeFrame(HelperMessage::kOffer, EncodeRequest(HelperRequest{0, Key(2), "bytes"}));
  std::string flood;
  for (int n = 0; n <= kMaxOffersPerAnswer; ++n) flood += offer;
  for (const std::string& frames :
       {flood, EncodeFrame(HelperMessage::kOffer, "abcd"),  // an offer too short for a key
        EncodeFrame(HelperMessage::kAnswer, EncodeAnswer(std::string("x"))) +
            EncodeFrame(HelperMessage::kAnswer, EncodeAnswer(std::string("y")))}) {
    *given_up_ = false;  // each a compile of its own
    std::promise<void> ready;
    unlink(socket_.c_str());
    std::thread helper(ServeFrames, socket_, frames, &ready);
    ready.get_future().wait();
    RemoteBackend& client = Client(0);
    const int64_t started = NowNs();
    absl::StatusOr<std::string> got = Get(client, Key(1));
    // The extra answer shows at the next request.
    if (got.ok() && *got == "x") got = Get(client, Key(3));
    EXPECT_TRUE(absl::IsNotFound(got.status()) || (got.ok() && *got == "direct")) << got.status();
    EXPECT_LT(NowNs() - started, int64_t{250'000'000});  // not waiting out a deadline
    EXPECT_EQ(stuck_, 0);
    helper.join();
  }
}

TEST_F(HelperTest, AHelperGoneInTheMiddleOfALookupLeavesItToTheDirectConnection) {
  first_.hold = true;
  direct_.values[Key(1).Hex()] = "direct";
  StartServer();
  RemoteBackend& client = Client(0);
  auto answer = std::async(std::launch::async, [&] { return Get(client, Key(1)); });
  RunUntil([this] { return first_.held.size() == 1; });
  OnServer([this] { server_.reset(); });  // as if killed: its connections close
  EXPECT_EQ(*answer.get(), "direct");
  EXPECT_EQ(stuck_, 0);
}

TEST_F(HelperTest, StoppingFinishesTheUploadsFirst) {
  first_.hold = true;
  StartServer();
  EXPECT_TRUE(Put(Client(0), Key(1), "entry").ok());
  RunUntil([this] { return first_.held.size() == 1; });
  OnServer([this] { server_->Stop(); });
  EXPECT_NE(access(socket_.c_str(), F_OK), 0);  // no new compile finds it
  EXPECT_TRUE(OnServerRead([this] { return first_.values.empty(); }));
  OnServer([this] { first_.held[0](); });
  server_thread_.join();  // its loop ends once the helper has finished
  EXPECT_EQ(first_.values[Key(1).Hex()], "entry");
}

}  // namespace
}  // namespace ddcc
