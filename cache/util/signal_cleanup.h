// What ddcc undoes when it is told to end (SIGTERM, SIGINT, SIGHUP: a CI cancel, `kill PID`,
// Ctrl-C): it passes the signal on to the process it is waiting for (the compiler or the
// preprocessor) and waits for it to end, removes its temporary files, and then dies of the same
// signal. Everything here is async-signal-safe on the handler's side.
#pragma once

#include <sys/types.h>

#include <string>

namespace ddcc {

// The process to pass a signal on to; 0 for none. The handlers are installed with the first
// process or file to clean up.
void SetSignalledChild(pid_t pid);

// Removes `path` if ddcc dies of one of those signals while this lives. A few at once are
// enough (the outputs of one compile, a file being written); beyond them, nothing is removed.
class RemovedOnSignal {
 public:
  explicit RemovedOnSignal(const std::string& path);
  ~RemovedOnSignal();
  RemovedOnSignal(const RemovedOnSignal&) = delete;
  RemovedOnSignal& operator=(const RemovedOnSignal&) = delete;

 private:
  int slot_ = -1;
};

}  // namespace ddcc
