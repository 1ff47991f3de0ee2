#include "cache/util/signal_cleanup.h"

#include <limits.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>

namespace ddcc {
namespace {

constexpr int kSignals[] = {SIGTERM, SIGINT, SIGHUP};

// A slot is free, being filled, or holds a path; the handler reads only full ones.
enum SlotState { kFree, kFilling, kFull };

struct Slot {
  std::atomic<int> state{kFree};
  char path[PATH_MAX] = {};
};

// Constant-initialized, so its 64 KiB stay untouched zero pages until a slot is used: filled
// at start-up they cost every process 16 page faults, an eighth of a hit's.
constinit Slot slots[16];
std::atomic<pid_t> child{0};

void OnSignal(int signal_number) {
  const int saved_errno = errno;
  if (pid_t pid = child.load(); pid > 0) {
    kill(pid, signal_number);
    // Its files are removed once it can no longer write them.
    int status;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
  }
  for (Slot& slot : slots) {
    if (slot.state.load() == kFull) unlink(slot.path);
  }
  signal(signal_number, SIG_DFL);
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, signal_number);
  pthread_sigmask(SIG_UNBLOCK, &set, nullptr);
  raise(signal_number);
  errno = saved_errno;  // not reached: the default action ends the process
}

// Installed with the first thing to clean up: a call passed through never needs them, and a
// hit pays three system calls. A signal that is ignored (nohup, a background job) stays so.
void InstallHandlers() {
  static const bool installed = [] {
    struct sigaction action {};
    action.sa_handler = OnSignal;
    sigemptyset(&action.sa_mask);
    for (int other : kSignals) sigaddset(&action.sa_mask, other);  // one cleanup at a time
    for (int signal_number : kSignals) {
      struct sigaction old;
      if (sigaction(signal_number, &action, &old) == 0 && old.sa_handler == SIG_IGN) {
        sigaction(signal_number, &old, nullptr);
      }
    }
    return true;
  }();
  (void)installed;
}

}  // namespace

void SetSignalledChild(pid_t pid) {
  if (pid > 0) InstallHandlers();
  child.store(pid);
}

RemovedOnSignal::RemovedOnSignal(const std::string& path) {
  if (path.size() >= PATH_MAX) return;
  InstallHandlers();
  for (int i = 0; i < static_cast<int>(std::size(slots)); ++i) {
    int expected = kFree;
    if (!slots[i].state.compare_exchange_strong(expected, kFilling)) continue;
    std::memcpy(slots[i].path, path.c_str(), path.size() + 1);
    slots[i].state.store(kFull);
    slot_ = i;
    return;
  }
}

RemovedOnSignal::~RemovedOnSignal() {
  if (slot_ >= 0) slots[slot_].state.store(kFree);
}

}  // namespace ddcc
