"""Shared helpers for the end-to-end tests: a temporary cache and project per test, the built
ddcc binary (DDCC_BINARY, set by ctest), and runs of real compilers with and without ddcc."""

import json
import os
import pty
import shutil
import signal
import subprocess
import tempfile
import time
import unittest

DDCC = os.environ.get("DDCC_BINARY", os.path.join(os.path.dirname(__file__), "../../build/ddcc"))
DDCC = os.path.abspath(DDCC)

# Stands in for a compiler and records each call, to show what ddcc ran.
# A binary, not a script: ddcc takes a script named like a compiler for a wrapper and asks the
# compiler it runs (-###) at every call, which the recorded calls would show.
RECORDER = r"""#include <stdio.h>
#include <unistd.h>
int main(int argc, char** argv) {
  FILE* log = fopen(LOG, "a");
  for (int i = 1; i < argc; ++i) fprintf(log, i > 1 ? " %s" : "%s", argv[i]);
  fputc('\n', log);
  fclose(log);
#ifdef RUNS
  argv[0] = RUNS;
  execv(RUNS, argv);
#else
  execvp(argv[1], argv + 1);
#endif
  return 127;
}
"""


def file_clock_slack():
    """ddcc's (FileClockSlackNs): two ticks of the coarse clock that stamps files, and 1 ms."""
    try:
        tick = time.clock_getres(5)  # CLOCK_REALTIME_COARSE
    except OSError:
        tick = 0.01
    return 2 * tick + 0.001


# How long a file written by a test is left before ddcc runs: past ddcc's slack, with a margin.
SETTLE_SECONDS = file_clock_slack() + 0.005


class DdccTestCase(unittest.TestCase):
    """Each test gets an empty cache directory (self.cache) and working directory (self.work)."""

    def setUp(self):
        self.root = tempfile.mkdtemp(prefix="ddcc-e2e-")
        self.cache = os.path.join(self.root, "cache")
        self.work = os.path.join(self.root, "work")
        os.makedirs(self.work)
        self.env = {k: v for k, v in os.environ.items()
                    if not k.startswith("DDCC_") and not k.startswith("SCCACHE_")}
        self.env["DDCC_DIR"] = self.cache
        self.env["DDCC_LOGFILE"] = os.path.join(self.root, "ddcc.log")
        # The test's storage helpers have their sockets here, apart from any other test's.
        self.runtime = os.path.join(self.root, "run")
        os.makedirs(self.runtime, mode=0o700)
        self.env["XDG_RUNTIME_DIR"] = self.runtime
        self.last_write = 0.0

    def tearDown(self):
        for pid in self.helper_pids():
            os.kill(pid, signal.SIGKILL)
        shutil.rmtree(self.root, ignore_errors=True)

    def helper_pids(self):
        """The storage helpers running for this test, by the pids their lock files hold."""
        pids = []
        directory = os.path.join(self.runtime, "ddcc")
        for name in os.listdir(directory) if os.path.isdir(directory) else []:
            if not name.endswith(".lock"):
                continue
            with open(os.path.join(directory, name)) as f:
                text = f.read().strip()
            try:
                with open(f"/proc/{text}/cmdline", "rb") as f:
                    if b"--storage-helper" in f.read():
                        pids.append(int(text))
            except (OSError, ValueError):
                pass
        return pids

    def write(self, name, text):
        path = os.path.join(self.work, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(text)
        self.last_write = time.monotonic()
        return path

    def settle(self):
        """ddcc records no manifest for a file changed within a clock tick of the compile's start
        (it may have changed during the compile), so tests that expect one let fresh files age."""
        time.sleep(max(0.0, self.last_write + SETTLE_SECONDS - time.monotonic()))

    def read(self, name, mode="rb"):
        with open(os.path.join(self.work, name), mode) as f:
            return f.read()

    def run_cmd(self, argv, cwd=None, env=None, **kwargs):
        return subprocess.run(argv, cwd=cwd or self.work, env=env or self.env,
                              capture_output=True, **kwargs)

    def ddcc(self, *args, **kwargs):
        self.settle()
        return self.run_cmd([DDCC, *args], **kwargs)

    def stats(self, env=None):
        result = self.run_cmd([DDCC, "--show-stats", "--json"], env=env)
        self.assertEqual(result.returncode, 0, result.stderr)
        return json.loads(result.stdout)

    def hits(self):
        stats = self.stats()
        return stats["direct_hits"], stats["preprocessed_hits"], stats["cache_misses"]

    def recorder(self, compiler="gcc"):
        """A compiler of that name that records its calls for calls(); with compiler=None, a
        prefix command that records the commands it runs."""
        bin_dir = os.path.join(self.root, "recorder")
        os.makedirs(bin_dir, exist_ok=True)
        path = os.path.join(bin_dir, compiler or "prefix")
        defines = [f'-DLOG="{os.path.join(self.root, "calls.log")}"']
        if compiler:
            defines.append(f'-DRUNS="/usr/bin/{compiler}"')
        subprocess.run(["gcc", *defines, "-x", "c", "-", "-o", path], input=RECORDER.encode(),
                       check=True)
        return path

    def calls(self):
        """The recorder's calls since the last time, one argument string each."""
        path = os.path.join(self.root, "calls.log")
        if not os.path.exists(path):
            return []
        with open(path) as f:
            lines = f.read().splitlines()
        os.remove(path)
        return lines

    def log(self):
        path = self.env["DDCC_LOGFILE"]
        if not os.path.exists(path):
            return ""
        with open(path) as f:
            return f.read()

    def on_terminal(self, argv, env):
        """Runs argv with its stderr on a pseudo-terminal; what it wrote there."""
        leader, follower = pty.openpty()
        subprocess.run(argv, cwd=self.work, env=env, stdin=subprocess.DEVNULL,
                       stdout=subprocess.DEVNULL, stderr=follower, check=True)
        os.close(follower)
        written = b""
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # EIO: the terminal's other end is closed
                break
            if not chunk:
                break
            written += chunk
        os.close(leader)
        return written

    def assert_same_run(self, plain, cached):
        """The build must see exactly what it would see without ddcc."""
        self.assertEqual(cached.returncode, plain.returncode)
        self.assertEqual(cached.stdout, plain.stdout)
        self.assertEqual(cached.stderr, plain.stderr)


class HeaderSearchTestCase(DdccTestCase):
    """main.c including "util.h", which -Ifirst -Isecond finds in second/."""

    SOURCE = '#include "util.h"\nint value(void) { return UTIL; }\n'

    def setUp(self):
        super().setUp()
        self.write("first/.keep", "")
        self.write("second/util.h", "#define UTIL 2\n")
        self.write("main.c", self.SOURCE)
        self.args = ["-Ifirst", "-Isecond", "-c", "main.c", "-o", "main.o"]

    def days_served(self, compiler, env):
        """Compiles on two days (time zones 26 hours apart never share a date): the first,
        again, the second, again, the first. Returns (direct hits, preprocessed hits, misses)."""
        east, west = dict(env, TZ="EAST-14"), dict(env, TZ="WEST+12")
        for day in [east, east, west, west, east]:
            self.check(compiler, env=day)
        stats = self.stats(env=env)
        return stats["direct_hits"], stats["preprocessed_hits"], stats["cache_misses"]

    def check(self, compiler="gcc", args=None, env=None, plain=None):
        """Compiles with ddcc and without: the same object, dependency file (-MD) and
        messages."""
        args = args or self.args
        cached = self.ddcc(compiler, *args, env=env)
        written = ["main.o", "main.d"] if "-MD" in args or "-MMD" in args else ["main.o"]
        outputs = [self.read(name) for name in written] if cached.returncode == 0 else None
        plain = self.run_cmd([plain or "/usr/bin/" + os.path.basename(compiler), *args], env=env)
        self.assert_same_run(plain, cached)
        if outputs is not None:
            self.assertEqual(outputs, [self.read(name) for name in written])
        return cached
