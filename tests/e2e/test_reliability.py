"""Never break a build, never serve a wrong byte: concurrent builds sharing one cache, every file
of the cache damaged, ddcc killed at random moments, a full disk, unusable cache directories,
and the size limit after hundreds of compiles. Every object and dependency file is compared
byte for byte with an uncached compile's. Each test prints a line "RELIABILITY <test>: ..." with
its figures, which docs/reliability.md quotes."""

import concurrent.futures
import glob
import itertools
import os
import random
import signal
import stat
import subprocess
import sys
import tempfile
import threading
import time
import unittest

from common import DDCC, DdccTestCase
from reliability import Project

TEMP_MARKER = ".ddcc-tmp."


def report(test, **figures):
    print(f"RELIABILITY {test}: " + " ".join(f"{k}={v}" for k, v in figures.items()),
          file=sys.stderr, flush=True)


def entry_files(cache):
    return sorted(glob.glob(os.path.join(cache, "*", "*", "*.e")))


def journal_files(cache):
    """The journal of --explain records, counted in --show-stats with the entries."""
    return [p for p in (os.path.join(cache, "journal"), os.path.join(cache, "journal.old"))
            if os.path.isfile(p)]


def temp_files(directory):
    return [os.path.join(d, name) for d, _, names in os.walk(directory)
            for name in names if TEMP_MARKER in name]


def entries_size(cache):
    """Bytes the entries and journal occupy on disk, as `du` counts them (allocated blocks), and
    the number of entries."""
    paths = entry_files(cache) + journal_files(cache)
    if not paths:
        return 0, 0
    du = subprocess.run(["du", "-c", "--block-size=1", *paths], capture_output=True, text=True,
                        check=True)
    return int(du.stdout.splitlines()[-1].split()[0]), len(entry_files(cache))


def files_size(directory):
    """Bytes every file under `directory` occupies on disk, directories left out."""
    paths = [os.path.join(d, name) for d, _, names in os.walk(directory) for name in names]
    du = subprocess.run(["du", "-c", "--block-size=1", *paths], capture_output=True, text=True,
                        check=True)
    return int(du.stdout.splitlines()[-1].split()[0])


def damage(path, kind, rng):
    """Damages the file in place: one bit flipped, truncated, emptied, replaced by random
    bytes of the same length, extended by random bytes, or replaced by a FIFO (whose open would
    wait for a writer)."""
    if kind == "fifo":
        os.remove(path)
        os.mkfifo(path)
        return
    with open(path, "rb") as f:
        data = bytearray(f.read())
    if kind == "flip" and data:
        data[rng.randrange(len(data))] ^= 1 << rng.randrange(8)
    elif kind == "truncate" and data:
        data = data[:rng.randrange(len(data))]
    elif kind == "empty":
        data = bytearray()
    elif kind == "garbage":
        data = bytearray(rng.randbytes(max(len(data), 1)))
    elif kind == "extend":
        data += rng.randbytes(rng.randrange(1, 64))
    with open(path, "wb") as f:
        f.write(data)


DAMAGE_KINDS = ["flip", "truncate", "empty", "garbage", "extend", "fifo"]


def read_unless_fifo(path):
    """The file's bytes; None for a FIFO, which is never an entry's bytes."""
    if stat.S_ISFIFO(os.stat(path).st_mode):
        return None
    with open(path, "rb") as f:
        return f.read()


class ReliabilityTest(DdccTestCase):
    def assert_clean_stats(self, compiles):
        stats = self.stats()
        self.assertEqual(stats["cache_hits"] + stats["cache_misses"], compiles, stats)
        self.assertEqual(stats["errors"], 0, stats["error_reasons"])
        self.assertEqual(stats["uncacheable_calls"], 0, stats["uncacheable_reasons"])
        return stats

    def test_concurrent_builds_share_one_cache(self):
        """4 builds of 40 sources, each 4 compiles at a time, into one cache: cold, then warm."""
        project = Project(self, 40)
        builds, compiles = 4, 0
        for phase in ["cold", "warm"]:
            before = self.stats()
            outs = [f"{phase}{b}" for b in range(builds)]
            with concurrent.futures.ThreadPoolExecutor(builds) as pool:
                results = list(pool.map(lambda out: project.build(out, self.env), outs))
            for out, result in zip(outs, results):
                self.assertEqual(project.wrong_outputs(out, result), [], out)
            compiles += builds * project.count
            hits = self.stats()["cache_hits"] - before["cache_hits"]
            if phase == "warm":
                self.assertEqual(hits, builds * project.count)
        stats = self.assert_clean_stats(compiles)
        report("concurrent_builds", builds=builds, processes_at_once=builds * 4,
               compiles=compiles, hits=stats["cache_hits"], misses=stats["cache_misses"],
               errors=stats["errors"], wrong_objects=0)

    def test_every_cache_file_damaged(self):
        """Each kind of damage to every file of the cache: all entries at once (each must count
        as corrupt_entry and be replaced), then each other file on its own."""
        project = Project(self, 12)
        rng = random.Random(4)
        os.makedirs(self.cache)
        with open(os.path.join(self.cache, "ddcc.conf"), "w") as f:
            f.write("max_size = 1G\ncompression_level = 3\n")
        # One output directory throughout: an object's --explain record is read only by a compile
        # of that object, so every entry is read by the next build only if its objects are alike.
        compiles = project.check_build("entries", self.env)
        # Cleanup leaves a lock file in every shard directory it scans.
        self.assertEqual(self.ddcc("--cleanup").returncode, 0)
        damaged = 0
        # And an entry under another key's name, as a copy by hand or a sync may leave it.
        for kind in DAMAGE_KINDS + ["another entry's"]:
            entries = entry_files(self.cache)
            before = self.stats()
            damaged_bytes = {}
            if kind == "another entry's":
                contents = [read_unless_fifo(path) for path in entries]
                for i, path in enumerate(entries):
                    with open(path, "wb") as f:
                        f.write(contents[(i + 1) % len(entries)])
            for path in entries:
                if kind != "another entry's":
                    damage(path, kind, rng)
                damaged_bytes[path] = read_unless_fifo(path)
            compiles += project.check_build("entries", self.env)
            after = self.stats()
            corrupt = after["error_reasons"]["corrupt_entry"] - before["error_reasons"][
                "corrupt_entry"]
            self.assertEqual(corrupt, len(entries), kind)
            for path in entries:
                if os.path.exists(path):
                    self.assertNotEqual(read_unless_fifo(path), damaged_bytes[path], path)
                    self.assertTrue(stat.S_ISREG(os.stat(path).st_mode), path)
            # The damaged entries were replaced: the next build hits them all.
            compiles += project.check_build("entries", self.env)
            self.assertEqual(self.stats()["cache_hits"] - after["cache_hits"], project.count)
            damaged += len(entries)

        others = {name: [os.path.join(self.cache, name)]
                  for name in ["stats", "store-counters", "ddcc.conf", "journal"]}
        others["lock files"] = glob.glob(os.path.join(self.cache, "*", ".lock"))
        self.assertTrue(all(os.path.exists(p) for paths in others.values() for p in paths))
        self.assertTrue(others["lock files"])
        for name, paths in others.items():
            for kind in DAMAGE_KINDS:
                originals = {}
                for path in paths:
                    with open(path, "rb") as f:
                        originals[path] = f.read()
                    damage(path, kind, rng)
                compiles += project.check_build(f"{name}-{kind}".replace(" ", "-"), self.env)
                self.assertGreaterEqual(self.ddcc("--show-stats").returncode, 0)
                damaged += len(paths)
                for path, data in originals.items():
                    os.remove(path)
                    with open(path, "wb") as f:
                        f.write(data)
        # A recount repairs whatever damaged size counters said.
        self.assertEqual(self.ddcc("--cleanup").returncode, 0)
        stats = self.stats()
        self.assertEqual((stats["size_bytes"], stats["files"]), entries_size(self.cache))
        report("damage", kinds=len(DAMAGE_KINDS), files_damaged=damaged, compiles=compiles,
               wrong_objects=0)

    def test_killed_at_random_moments(self):
        """SIGKILL ddcc four at a time: at a random moment of its run, and (with kill_at) with an
        entry or output fully written but not renamed into place, with an empty temporary file,
        and in the middle of an eviction (DDCC_MAXSIZE tiny); then rebuild cleanly."""
        project = Project(self, 16)
        kill_at = os.path.join(self.root, "kill_at")
        subprocess.run(["gcc", "-O2", "-o", kill_at,
                        os.path.join(os.path.dirname(__file__), "kill_at.c")], check=True)
        os.makedirs(os.path.join(self.work, "timing"))
        recache = dict(self.env, DDCC_RECACHE="1")
        start = time.monotonic()
        self.run_cmd(project.argv(7, "timing"), env=recache)
        duration = time.monotonic() - start
        tiny = dict(recache, DDCC_MAXSIZE="32k")
        # moment: (the syscall kill_at stops at, the most calls to pick from, environments)
        moments = {"anytime": (None, 0, [self.env, recache]),
                   "before_rename": ("rename", 2, [self.env, recache]),
                   "at_write": ("write", 2, [recache]),
                   "evicting": ("unlink", 4, [tiny]),
                   "locking": ("flock", 1, [tiny])}
        if subprocess.run([kill_at, "write", "1", "sh", "-c", "echo"],
                          stdout=subprocess.DEVNULL).returncode == 2:
            moments = {"anytime": moments["anytime"]}  # ptrace is not allowed here
        launched, kills = 0, {moment: 0 for moment in moments}
        lock = threading.Lock()

        def killer(seed):
            nonlocal launched
            rng = random.Random(seed)
            for n in range(40):
                moment = list(moments)[n % len(moments)]
                syscall, most, envs = moments[moment]
                # Each run writes its own outputs: a killed run's compiler goes on writing its
                # outputs, which another run must not be reading.
                out = f"killed/{seed}-{n}"
                os.makedirs(os.path.join(self.work, out))
                argv = project.argv(rng.randrange(project.count), out)
                if syscall:
                    argv = [kill_at, syscall, str(rng.randint(1, most)), *argv]
                proc = subprocess.Popen(argv, cwd=self.work, env=rng.choice(envs),
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                if syscall:
                    hit = proc.wait() == 0
                else:
                    time.sleep(rng.uniform(0, 1.5 * duration))
                    hit = proc.poll() is None
                    if hit:
                        proc.send_signal(signal.SIGKILL)
                    proc.wait()
                with lock:
                    launched += 1
                    kills[moment] += hit

        with concurrent.futures.ThreadPoolExecutor(4) as pool:
            list(pool.map(killer, range(4)))
        self.wait_for_orphans()
        leftovers = len(temp_files(self.cache))
        leftovers_in_build = len(temp_files(os.path.join(self.work, "killed")))

        before = self.stats()
        compiles = project.check_build("after1", self.env)
        compiles += project.check_build("after2", self.env)
        after = self.stats()
        self.assertEqual(after["cache_hits"] - before["cache_hits"] +
                         after["cache_misses"] - before["cache_misses"], compiles)
        self.assertEqual(after["errors"], 0, after["error_reasons"])

        # Cleanup removes a dead writer's temporary files, not a live one's.
        shard = os.path.dirname(entry_files(self.cache)[0])
        old = os.path.join(shard, "0" * 32 + ".e.ddcc-tmp.1.00000000000000aa")
        fresh = os.path.join(shard, "0" * 32 + ".e.ddcc-tmp.1.00000000000000bb")
        for path in [old, fresh]:
            with open(path, "wb") as f:
                f.write(b"half an entry")
        two_hours_ago = time.time() - 7200
        for path in temp_files(self.cache):
            if path != fresh:
                os.utime(path, (two_hours_ago, two_hours_ago))
        self.assertEqual(self.ddcc("--cleanup").returncode, 0)
        self.assertEqual(temp_files(self.cache), [fresh])
        stats = self.stats()
        self.assertEqual((stats["size_bytes"], stats["files"]), entries_size(self.cache))
        report("kill", launched=launched, killed=sum(kills.values()),
               **{f"killed_{moment}": n for moment, n in kills.items()},
               temp_files_left_in_cache=leftovers,
               temp_files_left_in_build_dir=leftovers_in_build, compiles_after=compiles,
               wrong_objects=0)

    def test_evictions_killed_midway(self):
        """SIGKILL `--evict-older-than` and `--cleanup` at their Nth unlink: what is left is
        served right, and the next cleanup's recount makes the sizes right."""
        project = Project(self, 12)
        kill_at = os.path.join(self.root, "kill_at")
        subprocess.run(["gcc", "-O2", "-o", kill_at,
                        os.path.join(os.path.dirname(__file__), "kill_at.c")], check=True)
        if subprocess.run([kill_at, "write", "1", "sh", "-c", "echo"],
                          stdout=subprocess.DEVNULL).returncode == 2:
            self.skipTest("ptrace is not allowed here")
        killed = 0
        for n, command in enumerate([["--evict-older-than", "0s"], ["--evict-older-than", "0s"],
                                     ["--cleanup"]]):
            small = dict(self.env, DDCC_MAXSIZE="16k") if command == ["--cleanup"] else self.env
            project.check_build(f"fill{n}", self.env)
            result = subprocess.run([kill_at, "unlink", str(3 + 5 * n), DDCC, *command],
                                    cwd=self.work, env=small, stdout=subprocess.DEVNULL,
                                    stderr=subprocess.DEVNULL)
            killed += result.returncode == 0
            project.check_build(f"after{n}", self.env)
        self.assertGreaterEqual(killed, 2)
        self.assertEqual(self.ddcc("--cleanup").returncode, 0)
        stats = self.stats()
        self.assertEqual((stats["size_bytes"], stats["files"]), entries_size(self.cache))
        self.assertEqual(stats["errors"], 0, stats["error_reasons"])
        report("evictions_killed", runs=3, killed=killed, wrong_objects=0)

    def wait_for_orphans(self):
        """Waits for the compilers that killed ddcc processes left running in self.work."""
        work = os.path.realpath(self.work)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            running = False
            for pid in os.listdir("/proc"):
                try:
                    running |= pid.isdigit() and os.readlink(f"/proc/{pid}/cwd") == work
                except OSError:
                    pass
            if not running:
                return
            time.sleep(0.05)
        self.fail("compilers still running in the work directory")

    def mount_tmpfs(self, options):
        """A tmpfs mounted for this test, or a skip where mounting is not allowed."""
        if os.geteuid() != 0:
            self.skipTest("mounting a tmpfs needs root")
        mount_point = tempfile.mkdtemp(prefix="ddcc-mnt-")
        result = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", mount_point],
                                capture_output=True)
        if result.returncode != 0:
            os.rmdir(mount_point)
            self.skipTest(f"cannot mount a tmpfs: {result.stderr.decode().strip()}")
        self.addCleanup(os.rmdir, mount_point)
        self.addCleanup(subprocess.run, ["umount", mount_point], check=True)
        return mount_point

    @staticmethod
    def fill(directory):
        """Writes a file into `directory` until its file system is full; returns the path."""
        path = os.path.join(directory, "filler")
        with open(path, "wb", buffering=0) as f:
            try:
                while True:
                    f.write(bytes(4096))
            except OSError:
                pass
        return path

    def test_full_disk(self):
        """The cache on a full file system: before the cache directory exists, and after."""
        small = self.mount_tmpfs("size=1m")
        project = Project(self, 8)
        filler = self.fill(small)
        compiles = project.check_build("fresh", dict(self.env, DDCC_DIR=f"{small}/fresh"))
        os.remove(filler)

        self.env["DDCC_DIR"] = f"{small}/cache"
        self.assertEqual(self.ddcc("--zero-stats").returncode, 0)
        self.stats()  # creates the size counters while there is room
        filler = self.fill(small)
        compiles += project.check_build("full", self.env)
        stats = self.stats()
        self.assertEqual(stats["cache_misses"], project.count)
        failed = stats["error_reasons"]["cache_write_failed"]
        self.assertEqual(failed, project.count, stats)
        self.assertEqual(temp_files(small), [])
        os.remove(filler)
        compiles += project.check_build("room", self.env)
        compiles += project.check_build("hits", self.env)
        self.assertEqual(self.stats()["cache_hits"], project.count)
        report("full_disk", compiles=compiles, writes_failed=failed, wrong_objects=0)

    def test_unusable_cache_directories(self):
        """A cache directory that is a file, below a file, under missing parents that cannot be
        made, or read-only (empty or holding entries)."""
        project = Project(self, 4)
        a_file = os.path.join(self.root, "a-file")
        with open(a_file, "w") as f:
            f.write("not a directory\n")
        cases = {"file": a_file, "below-file": f"{a_file}/cache",
                 "missing-parents": "/proc/ddcc-missing/parent/cache"}
        if os.geteuid() == 0:
            read_only = self.mount_tmpfs("size=4m")
            project.check_build("populate", dict(self.env, DDCC_DIR=f"{read_only}/populated"))
            subprocess.run(["mount", "-o", "remount,ro", read_only], check=True)
        else:
            read_only = os.path.join(self.root, "read-only")
            os.mkdir(read_only)
            project.check_build("populate", dict(self.env, DDCC_DIR=f"{read_only}/populated"))
            directories = [directory for directory, _, _ in os.walk(read_only)]
            for directory in directories:
                os.chmod(directory, 0o555)
            self.addCleanup(lambda: [os.chmod(d, 0o755) for d in directories])
        cases.update({"read-only": f"{read_only}/cache", "read-only-populated":
                      f"{read_only}/populated", "read-only-missing": f"{read_only}/a/b/cache"})
        compiles = 0
        for name, path in cases.items():
            with self.subTest(case=name):
                env = dict(self.env, DDCC_DIR=path)
                compiles += project.check_build(name, env)
                shown = self.ddcc("--show-stats", env=env)
                self.assertGreaterEqual(shown.returncode, 0, "--show-stats died of a signal")
        report("unusable_dirs", cases=len(cases), compiles=compiles, wrong_objects=0)

    def test_cleanup_to_a_lower_limit_holds_on_disk(self):
        """A cache filled under the default limit, then cleaned to a small one: every file of
        it, the --explain journal too, fits the new limit as `du` counts it."""
        count, limit = 150, 512 * 1024
        for i in range(count):
            self.write(f"s/s{i}.c", f"int s{i}(void) {{ return {i}; }}\n")

        def compile_one(i):
            result = self.ddcc("gcc", "-c", f"s/s{i}.c", "-o", f"s/s{i}.o")
            self.assertEqual(result.returncode, 0, result.stderr)

        with concurrent.futures.ThreadPoolExecutor(4) as pool:
            list(pool.map(compile_one, range(count)))
        self.assertGreater(files_size(self.cache), limit)
        self.assertEqual(self.ddcc("--cleanup", env=dict(self.env, DDCC_MAXSIZE=f"{limit}B"))
                         .returncode, 0)
        self.assertLessEqual(files_size(self.cache), limit)
        stats = self.stats()
        self.assertEqual((stats["size_bytes"], stats["files"]), entries_size(self.cache))
        self.assertTrue(journal_files(self.cache))
        report("cleanup_lower_limit", compiles=count, max_size=limit,
               size_after=files_size(self.cache))

    def test_size_limit_holds(self):
        """150 distinct compiles, 4 at a time, into a cache limited to a fraction of their size:
        what the cache occupies on disk stays within the limit, as `du` counts it."""
        count, limit = 150, 128 * 1024
        rng = random.Random(150)
        for i in range(count):
            values = ", ".join(str(rng.randrange(1 << 30)) for _ in range(256))
            self.write(f"s/s{i}.c", f"const int s{i}[256] = {{{values}}};\n")
        env = dict(self.env, DDCC_MAXSIZE=f"{limit}B")

        def compile_both(i):
            plain = self.run_cmd(["gcc", "-c", f"s/s{i}.c", "-o", f"s/plain{i}.o"])
            cached = self.ddcc("gcc", "-c", f"s/s{i}.c", "-o", f"s/cached{i}.o", env=env)
            self.assert_same_run(plain, cached)
            return self.read(f"s/plain{i}.o") == self.read(f"s/cached{i}.o")

        with concurrent.futures.ThreadPoolExecutor(4) as pool:
            same = list(pool.map(compile_both, range(count)))
        self.assertTrue(all(same))
        stats = self.assert_clean_stats(count)
        size, files = entries_size(self.cache)
        self.assertLessEqual(size, limit)
        self.assertLessEqual(stats["size_bytes"], limit)
        self.assertLessEqual(files_size(self.cache), limit)
        self.assertEqual(self.ddcc("--cleanup", env=env).returncode, 0)
        after = self.stats()
        self.assertEqual((after["size_bytes"], after["files"]), entries_size(self.cache))
        self.assertLessEqual(files_size(self.cache), limit)
        report("size_limit", compiles=count, max_size=limit, size_after=size,
               entries_kept=files, counted_size=stats["size_bytes"], wrong_objects=0)


# A gcc that notes the signals it was given ignored, then runs the real one.
SIGNAL_NOTING_GCC = r"""#include <stdio.h>
#include <string.h>
#include <unistd.h>
int main(int argc, char** argv) {
  char line[256];
  FILE* status = fopen("/proc/self/status", "r");
  FILE* log = fopen(LOG, "a");
  while (fgets(line, sizeof line, status)) {
    if (strncmp(line, "SigIgn:", 7) == 0) fputs(line, log);
  }
  fclose(log);
  argv[0] = "/usr/bin/gcc";
  execv(argv[0], argv);
  return 127;
}
"""


class SignalsTest(DdccTestCase):
    def test_the_compiler_gets_the_signals_ddcc_was_given(self):
        """nohup's ignored SIGHUP, a background job's SIGINT and SIGQUIT stay ignored in the
        compiler ddcc runs (libuv's spawn would reset them); SIGXFSZ, which ddcc ignores for
        itself under a file-size limit, stays as given."""
        log = os.path.join(self.root, "signals.log")
        gcc = os.path.join(self.root, "noting", "gcc")
        os.makedirs(os.path.dirname(gcc))
        subprocess.run(["gcc", f'-DLOG="{log}"', "-x", "c", "-", "-o", gcc],
                       input=SIGNAL_NOTING_GCC.encode(), check=True)
        self.write("a.c", "int f(void) { return 1; }\n")
        for traps in ["", "trap '' HUP", "trap '' INT QUIT XFSZ"]:
            with self.subTest(traps=traps):
                for run in ["plain", "ddcc"]:
                    command = f"{traps}; " if traps else ""
                    command += ("" if run == "plain" else f"{DDCC} ") + f"{gcc} -c a.c -o a.o"
                    if os.path.exists(log):
                        os.remove(log)
                    done = self.run_cmd(["bash", "-c", command])
                    self.assertEqual(done.returncode, 0, done.stderr)
                    with open(log) as f:
                        noted = set(f.read().splitlines())
                    if run == "plain":
                        expected = noted
                    else:
                        self.assertEqual(noted, expected)
                self.run_cmd(["rm", "-rf", self.cache])  # the next one misses again

    def test_a_file_size_limit_ends_no_build(self):
        # ddcc's own entries are larger than the limit; the compiler's object is not.
        self.write("a.c", "int f(void) { return 1; }\n")
        for _ in range(3):
            done = self.run_cmd(["bash", "-c", f"ulimit -f 4; {DDCC} gcc -c a.c -o a.o"])
            self.assertEqual(done.returncode, 0, done.stderr)
            self.assertEqual(done.stderr, b"")

    def test_closed_standard_streams_end_no_build(self):
        """A daemon's or cron's build may run with a standard stream closed: a miss, a hit and a
        failed compile end as without ddcc (libuv's spawn aborted ddcc), and ddcc's own files
        never take the closed stream's number."""
        self.write("good.c", "int f(void) { return V; }\n")
        self.write("bad.c", "int f(void) { return 1 }\n")
        self.write("warns.c", "int f(void) { int unused; return 1; }\n")
        # With stderr closed, gcc's assembly takes its number and gets the warning: it fails.
        calls = [["-DV=1", "-c", "good.c"], ["-DV=1", "-c", "good.c"], ["-DV=1", "-c", "bad.c"],
                 ["-DV=1", "-DUNUSED", "-c", "good.c"], ["-x", "c", "-c", "-", "-o", "in.o"],
                 ["-Wall", "-c", "warns.c", "-o", "good.o"]]
        log = self.env["DDCC_LOGFILE"]
        without_log = {k: v for k, v in self.env.items() if k != "DDCC_LOGFILE"}
        for closed, env in itertools.product(["0<&-", "1>&-", "2>&-"], [without_log, self.env]):
            self.run_cmd(["rm", "-rf", self.cache, log])
            for call in calls:
                with self.subTest(closed=closed, log="DDCC_LOGFILE" in env, call=call):
                    runs = []
                    for prefix in ["", DDCC + " "]:
                        for name in ["good.o", "in.o"]:
                            if os.path.exists(os.path.join(self.work, name)):
                                os.remove(os.path.join(self.work, name))
                        done = self.run_cmd(
                            ["bash", "-c", f"{prefix}gcc {' '.join(call)} {closed}"], env=env)
                        objects = [self.read(name) if os.path.exists(os.path.join(self.work, name))
                                   else None for name in ["good.o", "in.o"]]
                        runs.append((done.returncode, done.stdout, done.stderr, objects))
                    self.assertEqual(runs[1], runs[0])
            # Only a closed stdin leaves the calls to the cache.
            stats = self.stats()
            self.assertEqual((stats["direct_hits"], stats["preprocessed_hits"]),
                             (1, 1) if closed == "0<&-" else (0, 0))
            if os.path.exists(log):
                with open(log, "rb") as f:
                    self.assertNotIn(b"expected", f.read())


if __name__ == "__main__":
    unittest.main()
