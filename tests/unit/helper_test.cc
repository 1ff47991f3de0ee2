// The storage helper and a compile's side of it on one libuv loop, with remotes in memory.
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <map>

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
    ASSERT_EQ(uv_loop_init(&loop_), 0);
    specs_ = *ParseRemoteStorage(
        "redis://127.0.0.1:1|connect-timeout=50|timeout=100 redis://127.0.0.1:2|read-only");
    socket_ = dir_ + "/helper.sock";
  }

  void TearDown() override {
    backends_.clear();
    server_.reset();
    uv_run(&loop_, UV_RUN_DEFAULT);
    EXPECT_EQ(uv_loop_close(&loop_), 0);
    TempDirTest::TearDown();
  }

  void StartServer() {
    HelperSettings settings{
        .remotes = specs_,
        .idle_timeout_ms = 0,
        .make = [this](const RemoteSpec& spec, uv_loop_t*) -> std::unique_ptr<RemoteBackend> {
          return std::make_unique<FakeBackend>(spec.url == specs_[0].url ? first_ : second_);
        },
        .upload_failed = [](const absl::Status&) {}};
    server_ = std::make_unique<HelperServer>(&loop_, std::move(settings));
    ASSERT_TRUE(server_->Listen(socket_).ok());
  }

  // A compile's backend for the `remote`th remote; the direct one talks to `direct_`.
  RemoteBackend& Client(uint8_t remote) {
    HelperChannel channel{.socket_path = socket_,
                          .remote = remote,
                          .direct = [this] { return std::make_unique<FakeBackend>(direct_); },
                          .absent = [this] { ++absent_; },
                          .stuck = [this] { ++stuck_; }};
    backends_.push_back(
        std::make_unique<HelperBackend>(specs_[remote], std::move(channel), &loop_));
    return *backends_.back();
  }

  absl::StatusOr<std::string> Get(RemoteBackend& backend, const Digest& key) {
    std::optional<absl::StatusOr<std::string>> answer;
    backend.StartGet(key, [&answer](absl::StatusOr<std::string> got) { answer = std::move(got); });
    while (!answer) uv_run(&loop_, UV_RUN_ONCE);
    return *answer;
  }

  absl::Status Put(RemoteBackend& backend, const Digest& key, const std::string& bytes) {
    std::optional<absl::Status> answer;
    backend.StartPut(key, bytes, [&answer](absl::Status put) { answer = std::move(put); });
    while (!answer) uv_run(&loop_, UV_RUN_ONCE);
    return *answer;
  }

  // Fails the test rather than hang when `done` does not come within seconds.
  void RunUntil(const std::function<bool()>& done) {
    const int64_t deadline = NowNs() + int64_t{5} * 1'000'000'000;
    while (!done() && NowNs() < deadline) {
      uv_run(&loop_, UV_RUN_NOWAIT);
      usleep(100);
    }
    ASSERT_TRUE(done());
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
    first_.values[key.Hex()] = EncodeEntry(manifest.ToEntry(), 1);
  }

  // Runs the loop until nothing is left to do at once: what one side sent has reached the other.
  void Settle() {
    for (int turn = 0; turn < 5; ++turn) uv_run(&loop_, UV_RUN_NOWAIT);
  }

  uv_loop_t loop_;
  std::vector<RemoteSpec> specs_;
  std::string socket_;
  FakeRemote first_, second_, direct_;
  int absent_ = 0, stuck_ = 0;
  std::unique_ptr<HelperServer> server_;
  std::vector<std::unique_ptr<RemoteBackend>> backends_;
};

TEST_F(HelperTest, LookupsGoThroughTheHelperOnConnectionsKeptOpen) {
  StartServer();
  first_.values[Key(1).Hex()] = "one";
  second_.values[Key(2).Hex()] = "two";
  for (int compile = 0; compile < 3; ++compile) {
    EXPECT_EQ(*Get(Client(0), Key(1)), "one");
    EXPECT_EQ(*Get(Client(1), Key(2)), "two");
    EXPECT_TRUE(absl::IsNotFound(Get(Client(0), Key(3)).status()));
  }
  EXPECT_EQ(first_.gets, 6);
  EXPECT_EQ(first_.backends, 1);  // one connection served every compile
  EXPECT_EQ(direct_.gets, 0);
  EXPECT_EQ(absent_ + stuck_, 0);
}

TEST_F(HelperTest, AnUploadIsQueuedAndServedBeforeItReachesTheRemote) {
  StartServer();
  first_.hold = true;
  EXPECT_TRUE(Put(Client(0), Key(1), "entry").ok());  // answered before the remote has it
  RunUntil([this] { return first_.held.size() == 1; });
  EXPECT_TRUE(first_.values.empty());
  EXPECT_EQ(*Get(Client(0), Key(1)), "entry");  // from the queue
  EXPECT_EQ(first_.gets, 0);

  first_.held[0]();
  EXPECT_EQ(first_.values[Key(1).Hex()], "entry");
  EXPECT_EQ(direct_.puts, 0);
}

TEST_F(HelperTest, AManifestPassedOnBringsTheNewestSetsResultUnasked) {
  StartServer();
  StoreManifest(Key(1), {{Key(9), "newest"}, {Key(8), "older"}});
  RemoteBackend& compile = Client(0);
  EXPECT_TRUE(Get(compile, Key(1)).ok());
  RunUntil([this] { return first_.gets == 3; });  // both results, before anyone asks
  Settle();
  // The newest set's result was offered: it is there without asking the helper.
  std::optional<absl::StatusOr<std::string>> answer;
  compile.StartGet(Key(9), [&answer](absl::StatusOr<std::string> got) { answer = got; });
  ASSERT_TRUE(answer.has_value());
  EXPECT_EQ(**answer, "newest");
  // The older set's is kept in the helper: one round trip to it, none to the remote.
  EXPECT_EQ(*Get(compile, Key(8)), "older");
  EXPECT_EQ(first_.gets, 3);
  // What was fetched ahead was for that compile: another one's lookup goes to the remote.
  EXPECT_EQ(*Get(Client(0), Key(9)), "newest");
  EXPECT_EQ(first_.gets, 4);
  EXPECT_EQ(direct_.gets, 0);
}

TEST_F(HelperTest, ALookupOfAResultBeingFetchedAheadWaitsForIt) {
  StartServer();
  StoreManifest(Key(1), {{Key(9), "result"}});
  first_.hold = true;
  RemoteBackend& compile = Client(0);
  std::optional<absl::StatusOr<std::string>> manifest_answer;
  compile.StartGet(Key(1), [&](absl::StatusOr<std::string> got) { manifest_answer = got; });
  RunUntil([this] { return first_.held.size() == 1; });
  first_.held[0]();
  RunUntil([&] { return manifest_answer && first_.held.size() == 2; });  // the result, held
  std::optional<absl::StatusOr<std::string>> answer;
  compile.StartGet(Key(9), [&answer](absl::StatusOr<std::string> got) { answer = got; });
  Settle();
  EXPECT_FALSE(answer);
  first_.held[1]();
  RunUntil([&answer] { return answer.has_value(); });
  EXPECT_EQ(**answer, "result");
  EXPECT_EQ(first_.gets, 2);
  Settle();  // the compile asked first: nothing is offered after the answer
  first_.hold = false;
  EXPECT_EQ(*Get(compile, Key(9)), "result");
  EXPECT_EQ(first_.gets, 3);
}

TEST_F(HelperTest, ARemoteMarkedReadOnlyTakesNoUpload) {
  StartServer();
  EXPECT_TRUE(absl::IsPermissionDenied(Put(Client(1), Key(1), "entry")));
  EXPECT_EQ(second_.puts, 0);
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
  // Listening, so the connect succeeds, but nobody accepts or answers.
  int fd = socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::strncpy(address.sun_path, socket_.c_str(), sizeof(address.sun_path) - 1);
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
  ASSERT_EQ(listen(fd, 8), 0);
  direct_.values[Key(1).Hex()] = "direct";
  EXPECT_EQ(*Get(Client(0), Key(1)), "direct");
  EXPECT_EQ(stuck_, 1);
  EXPECT_EQ(absent_, 0);
  close(fd);
}

TEST_F(HelperTest, AHelperGoneInTheMiddleOfALookupLeavesItToTheDirectConnection) {
  StartServer();
  first_.hold = true;
  direct_.values[Key(1).Hex()] = "direct";
  RemoteBackend& client = Client(0);
  std::optional<absl::StatusOr<std::string>> answer;
  client.StartGet(Key(1), [&answer](absl::StatusOr<std::string> got) { answer = std::move(got); });
  RunUntil([this] { return first_.held.size() == 1; });
  server_.reset();  // as if killed: its connections close
  RunUntil([&answer] { return answer.has_value(); });
  EXPECT_EQ(**answer, "direct");
}

TEST_F(HelperTest, StoppingFinishesTheUploadsFirst) {
  StartServer();
  first_.hold = true;
  EXPECT_TRUE(Put(Client(0), Key(1), "entry").ok());
  RunUntil([this] { return first_.held.size() == 1; });
  server_->Stop();
  EXPECT_NE(access(socket_.c_str(), F_OK), 0);  // no new compile finds it
  for (int turn = 0; turn < 5; ++turn) uv_run(&loop_, UV_RUN_NOWAIT);
  EXPECT_TRUE(first_.values.empty());
  first_.held[0]();
  uv_run(&loop_, UV_RUN_DEFAULT);  // returns once the helper has finished
  EXPECT_EQ(first_.values[Key(1).Hex()], "entry");
}

}  // namespace
}  // namespace ddcc
