#include "launcher/process.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>
#include <uv.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <optional>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "cache/util/files.h"
#include "cache/util/signal_cleanup.h"

namespace ddcc {
namespace {

// One captured stream: the pipe and what has been read from it.
struct Capture {
  uv_pipe_t pipe;
  std::string* text;
  int echo_fd = -1;  // where the text also goes as it comes, if anywhere
};

struct Run {
  uv_process_t process;
  Capture out, err;
  ProcessResult result;
  bool timed_out = false;
};

// How a process is run: echoing its output, or as a probe, which reads nothing and is killed
// when it takes too long.
struct SpawnMode {
  bool stream = false;
  bool reads_stdin = true;
  std::optional<int> timeout_ms;  // and stdin from /dev/null
  const std::vector<std::string>* added_env = nullptr;
};

void AllocateBuffer(uv_handle_t*, size_t suggested, uv_buf_t* buffer) {
  buffer->base = static_cast<char*>(std::malloc(suggested));
  buffer->len = buffer->base ? suggested : 0;
}

void OnRead(uv_stream_t* stream, ssize_t n, const uv_buf_t* buffer) {
  auto* capture = static_cast<Capture*>(stream->data);
  if (n > 0) {
    capture->text->append(buffer->base, n);
    if (capture->echo_fd >= 0) WriteAll(capture->echo_fd, absl::string_view(buffer->base, n));
  }
  std::free(buffer->base);
  if (n < 0) uv_close(reinterpret_cast<uv_handle_t*>(stream), nullptr);  // EOF or error
}

void OnExit(uv_process_t* process, int64_t exit_status, int term_signal) {
  auto* run = static_cast<Run*>(process->data);
  run->result.exit_code = static_cast<int>(exit_status);
  run->result.term_signal = term_signal;
  SetSignalledChild(0);
  uv_close(reinterpret_cast<uv_handle_t*>(process), nullptr);
}

absl::Status UvStatus(absl::string_view what, int code) {
  return absl::InternalError(absl::StrCat(what, ": ", uv_strerror(code)));
}

void CloseIfOpen(uv_handle_t* handle) {
  if (!uv_is_closing(handle)) uv_close(handle, nullptr);
}

// A probe past its time: killed, and its pipes closed, which a child it left behind may hold.
void OnTimeout(uv_timer_t* timer) {
  auto* run = static_cast<Run*>(timer->data);
  run->timed_out = true;
  // An exited process's handle is closed: its pid may be another's by now.
  if (!uv_is_closing(reinterpret_cast<uv_handle_t*>(&run->process))) {
    uv_process_kill(&run->process, SIGKILL);
  }
  CloseIfOpen(reinterpret_cast<uv_handle_t*>(&run->out.pipe));
  CloseIfOpen(reinterpret_cast<uv_handle_t*>(&run->err.pipe));
  uv_close(reinterpret_cast<uv_handle_t*>(timer), nullptr);
}

bool file_size_signal_was_default = false;
bool standard_streams_opened[3] = {};  // by OpenClosedStandardStreams

// The signals ddcc was given ignored, as "n,m"; empty for none (nearly always). ddcc ignores
// only SIGXFSZ itself, and keeps the others as given where it handles them (signal_cleanup.cc).
std::string IgnoredSignals() {
  std::string numbers;
  for (int number = 1; number < 32; ++number) {
    struct sigaction action;
    if (number == SIGKILL || number == SIGSTOP || sigaction(number, nullptr, &action) != 0 ||
        action.sa_handler != SIG_IGN || (number == SIGXFSZ && file_size_signal_was_default)) {
      continue;
    }
    absl::StrAppend(&numbers, numbers.empty() ? "" : ",", number);
  }
  return numbers;
}

absl::StatusOr<ProcessResult> Spawn(const std::vector<std::string>& given, SpawnMode mode) {
  // libuv's spawn gives the child every signal's default action: through ddcc itself where some
  // were ignored, which ignores them again before it becomes the program.
  std::vector<std::string> argv = given;
  std::string file = given.empty() ? "" : given[0];
  // Asked once a process: ddcc changes no signal to or from ignored after its start.
  static const std::string ignored = IgnoredSignals();
  if (!ignored.empty()) {
    argv.insert(argv.begin(), {"ddcc", kRunIgnoringCommand, ignored});
    file = "/proc/self/exe";
  }
  uv_loop_t loop;
  if (int rc = uv_loop_init(&loop); rc != 0) return UvStatus("uv_loop_init", rc);

  Run run{};
  run.out.text = &run.result.out;
  run.err.text = &run.result.err;
  if (mode.stream) {
    run.out.echo_fd = STDOUT_FILENO;
    run.err.echo_fd = STDERR_FILENO;
    run.result.streamed = true;
  }
  uv_pipe_init(&loop, &run.out.pipe, 0);
  uv_pipe_init(&loop, &run.err.pipe, 0);
  run.out.pipe.data = &run.out;
  run.err.pipe.data = &run.err;
  run.process.data = &run;

  std::vector<char*> args;
  for (const std::string& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);

  uv_stdio_container_t stdio[3];
  // UV_IGNORE: /dev/null
  stdio[0].flags = mode.timeout_ms || !mode.reads_stdin ? UV_IGNORE : UV_INHERIT_FD;
  stdio[0].data.fd = 0;
  stdio[1].flags = static_cast<uv_stdio_flags>(UV_CREATE_PIPE | UV_WRITABLE_PIPE);
  stdio[1].data.stream = reinterpret_cast<uv_stream_t*>(&run.out.pipe);
  stdio[2].flags = static_cast<uv_stdio_flags>(UV_CREATE_PIPE | UV_WRITABLE_PIPE);
  stdio[2].data.stream = reinterpret_cast<uv_stream_t*>(&run.err.pipe);

  std::vector<char*> env;
  if (mode.added_env && !mode.added_env->empty()) {
    // An added variable replaces the one of the same name.
    auto replaced = [&](absl::string_view entry) {
      for (const std::string& added : *mode.added_env) {
        if (absl::StartsWith(entry, added.substr(0, added.find('=') + 1))) return true;
      }
      return false;
    };
    for (char** each = environ; *each != nullptr; ++each) {
      if (!replaced(*each)) env.push_back(*each);
    }
    for (const std::string& entry : *mode.added_env)
      env.push_back(const_cast<char*>(entry.c_str()));
    env.push_back(nullptr);
  }

  uv_process_options_t options{};
  options.exit_cb = OnExit;
  if (!env.empty()) options.env = env.data();
  options.file = file.c_str();
  options.args = args.data();
  options.stdio_count = 3;
  options.stdio = stdio;

  absl::Status status;
  // A signal for ddcc between the spawn and the child's pid being known would find no child
  // to pass it on to: it waits until then. (libuv clears the child's signal mask.)
  sigset_t cleanup_signals, old_mask;
  sigemptyset(&cleanup_signals);
  for (int signal_number : {SIGTERM, SIGINT, SIGHUP}) sigaddset(&cleanup_signals, signal_number);
  pthread_sigmask(SIG_BLOCK, &cleanup_signals, &old_mask);
  if (int rc = uv_spawn(&loop, &run.process, &options); rc != 0) {
    pthread_sigmask(SIG_SETMASK, &old_mask, nullptr);
    status = UvStatus(absl::StrCat("spawn ", argv[0]), rc);
    uv_close(reinterpret_cast<uv_handle_t*>(&run.process), nullptr);
    uv_close(reinterpret_cast<uv_handle_t*>(&run.out.pipe), nullptr);
    uv_close(reinterpret_cast<uv_handle_t*>(&run.err.pipe), nullptr);
  } else {
    SetSignalledChild(run.process.pid);
    pthread_sigmask(SIG_SETMASK, &old_mask, nullptr);
    uv_read_start(reinterpret_cast<uv_stream_t*>(&run.out.pipe), AllocateBuffer, OnRead);
    uv_read_start(reinterpret_cast<uv_stream_t*>(&run.err.pipe), AllocateBuffer, OnRead);
  }
  uv_timer_t timer;
  if (status.ok() && mode.timeout_ms) {
    uv_timer_init(&loop, &timer);
    timer.data = &run;
    uv_timer_start(&timer, OnTimeout, *mode.timeout_ms, 0);
    uv_unref(reinterpret_cast<uv_handle_t*>(&timer));  // the loop ends when the process does
  }
  uv_run(&loop, UV_RUN_DEFAULT);
  if (status.ok() && mode.timeout_ms && !run.timed_out) {
    uv_close(reinterpret_cast<uv_handle_t*>(&timer), nullptr);
    uv_run(&loop, UV_RUN_DEFAULT);
  }
  uv_loop_close(&loop);
  if (!status.ok()) return status;
  if (run.timed_out) {
    return absl::DeadlineExceededError(absl::StrCat(argv[0], " took too long and was killed"));
  }
  return std::move(run.result);
}

}  // namespace

absl::StatusOr<ProcessResult> RunCaptured(const std::vector<std::string>& argv,
                                          const std::vector<std::string>& added_env) {
  SpawnMode mode;
  mode.added_env = &added_env;
  return Spawn(argv, mode);
}

absl::StatusOr<ProcessResult> RunAside(const std::vector<std::string>& argv,
                                       const std::vector<std::string>& added_env) {
  SpawnMode aside;
  aside.reads_stdin = false;
  aside.added_env = &added_env;
  return Spawn(argv, aside);
}

absl::StatusOr<ProcessResult> RunProbe(const std::vector<std::string>& argv, int timeout_ms) {
  SpawnMode probe;
  probe.timeout_ms = timeout_ms;
  return Spawn(argv, probe);
}

absl::StatusOr<ProcessResult> RunStreamed(const std::vector<std::string>& argv) {
  SpawnMode streamed;
  streamed.stream = true;
  return Spawn(argv, streamed);
}

void WriteAll(int fd, absl::string_view data) {
  while (!data.empty()) {
    ssize_t n = write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return;
    }
    data.remove_prefix(n);
  }
}

void IgnoreFileSizeSignal() {
  struct sigaction old;
  if (sigaction(SIGXFSZ, nullptr, &old) == 0 && old.sa_handler == SIG_DFL) {
    signal(SIGXFSZ, SIG_IGN);
    file_size_signal_was_default = true;
  }
}

int RunIgnoring(absl::string_view numbers, const std::vector<std::string>& argv) {
  // Exactly what the first ddcc was given, SIGXFSZ included.
  if (file_size_signal_was_default) signal(SIGXFSZ, SIG_DFL);
  file_size_signal_was_default = false;
  for (absl::string_view number : absl::StrSplit(numbers, ',')) {
    int n = 0;
    if (absl::SimpleAtoi(number, &n)) signal(n, SIG_IGN);
  }
  absl::Status status = ExecReplace(argv);
  std::fprintf(stderr, "ddcc: cannot run %s: %s\n", argv.empty() ? "" : argv[0].c_str(),
               std::string(status.message()).c_str());
  return 127;
}

bool OpenClosedStandardStreams() {
  bool output_closed = false;
  for (int fd = STDIN_FILENO; fd <= STDERR_FILENO; ++fd) {
    if (fcntl(fd, F_GETFD) != -1 || errno != EBADF) continue;
    output_closed |= fd != STDIN_FILENO;
    // The lowest free number: this one.
    if (open("/dev/null", fd == STDIN_FILENO ? O_RDONLY : O_WRONLY) == fd) {
      standard_streams_opened[fd] = true;
    }
  }
  return output_closed;
}

absl::Status ExecReplace(const std::vector<std::string>& argv) {
  if (argv.empty()) return absl::InvalidArgumentError("nothing to run");
  if (file_size_signal_was_default) signal(SIGXFSZ, SIG_DFL);
  for (int fd = STDIN_FILENO; fd <= STDERR_FILENO; ++fd) {
    if (standard_streams_opened[fd]) close(fd);
  }
  std::vector<char*> args;
  for (const std::string& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);
  execv(args[0], args.data());
  return ErrnoStatus("exec", argv[0]);
}

void ExitLike(const ProcessResult& result) {
  if (result.term_signal != 0) {
    signal(result.term_signal, SIG_DFL);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, result.term_signal);
    sigprocmask(SIG_UNBLOCK, &set, nullptr);
    raise(result.term_signal);
    _exit(128 + result.term_signal);  // a signal that does not kill, e.g. SIGCHLD
  }
  _exit(result.exit_code);
}

}  // namespace ddcc
