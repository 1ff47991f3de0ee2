/* kill_at SYSCALL N COMMAND...: runs COMMAND under ptrace and SIGKILLs it on entry to its Nth
 * call of SYSCALL (rename, write, unlink or flock, in any of their forms). Exits 0 when it
 * killed the command, 1 when the command ended first, 2 when it could not trace it. The
 * reliability tests use it to kill ddcc at exact moments: with an entry fully written but not
 * yet renamed into place, half-way through writing one, in the middle of an eviction. Only
 * COMMAND's own process is traced, not the compilers it runs. */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static int matches(const char *name, unsigned long long nr) {
  if (strcmp(name, "rename") == 0) {
    return nr == SYS_rename || nr == SYS_renameat || nr == SYS_renameat2;
  }
  if (strcmp(name, "write") == 0) return nr == SYS_write || nr == SYS_pwrite64;
  if (strcmp(name, "unlink") == 0) return nr == SYS_unlink || nr == SYS_unlinkat;
  if (strcmp(name, "flock") == 0) return nr == SYS_flock;
  return 0;
}

int main(int argc, char **argv) {
  if (argc < 4) return 2;
  long wanted = atol(argv[2]);
  pid_t pid = fork();
  if (pid < 0) return 2;
  if (pid == 0) {
    if (ptrace(PTRACE_TRACEME, 0, NULL, NULL) != 0) _exit(126);
    execvp(argv[3], argv + 3);
    _exit(127);
  }
  int status;
  /* The child stops with SIGTRAP once exec has succeeded. */
  if (waitpid(pid, &status, 0) != pid || !WIFSTOPPED(status)) return 2;
  if (ptrace(PTRACE_SETOPTIONS, pid, NULL,
             (void *)(long)(PTRACE_O_TRACESYSGOOD | PTRACE_O_EXITKILL)) != 0) {
    kill(pid, SIGKILL);
    return 2;
  }
  int signal_to_pass = 0;
  long seen = 0;
  for (;;) {
    if (ptrace(PTRACE_SYSCALL, pid, NULL, (void *)(long)signal_to_pass) != 0) return 1;
    if (waitpid(pid, &status, 0) != pid || WIFEXITED(status) || WIFSIGNALED(status)) return 1;
    signal_to_pass = 0;
    if (WSTOPSIG(status) != (SIGTRAP | 0x80)) {
      signal_to_pass = WSTOPSIG(status);
      continue;
    }
    struct __ptrace_syscall_info info;
    if (ptrace(PTRACE_GET_SYSCALL_INFO, pid, (void *)sizeof info, &info) <= 0) continue;
    if (info.op == PTRACE_SYSCALL_INFO_ENTRY && matches(argv[1], info.entry.nr) &&
        ++seen == wanted) {
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      return 0;
    }
  }
}
