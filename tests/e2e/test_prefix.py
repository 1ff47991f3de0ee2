"""prefix_command (DDCC_PREFIX): the compile of a miss, and every call ddcc does not cache, run
through a build farm's client (distcc here, with a real distccd on loopback); hits never leave
the machine. A prefix that cannot be found costs the cache, not the build."""

import os
import shutil
import socket
import subprocess
import tempfile
import time
import unittest

from common import DDCC, DdccTestCase
from remote_servers import free_port

DISTCC = "/usr/bin/distcc"
DISTCCD = "/usr/bin/distccd"
SOURCE = "int add(int a, int b) { return a + b; }\n"
MAIN = "int add(int, int);\nint main(void) { return add(2, 2) == 4 ? 0 : 1; }\n"


class Distccd:
    """distccd on a loopback port, logging each job; as root it runs as nobody, as distccd asks."""

    def __init__(self):
        self.port = free_port()
        # Where nobody can write its log: not inside a test's own (private) directory.
        self.directory = tempfile.mkdtemp(prefix="ddcc-distccd-")
        os.chmod(self.directory, 0o755)
        self.log = os.path.join(self.directory, "distccd.log")
        with open(self.log, "w"):
            pass
        os.chmod(self.log, 0o666)
        argv = [DISTCCD, "--no-detach", "--daemon", "--allow", "127.0.0.1", "--listen",
                "127.0.0.1", "--port", str(self.port), "--log-file", self.log,
                "--log-level", "info", "--jobs", "2"]
        if os.geteuid() == 0:
            argv += ["--user", "nobody"]
        self.process = subprocess.Popen(argv)
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                if time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError("distccd did not start")
                time.sleep(0.02)

    def jobs(self, expected, patience=5.0):
        """The jobs done, once `expected` are (the log's line comes after the client's answer),
        or after `patience` seconds."""
        deadline = time.monotonic() + patience
        while True:
            with open(self.log) as f:
                done = f.read().count("COMPILE_OK")
            if done >= expected or time.monotonic() > deadline:
                return done
            time.sleep(0.02)

    def stop(self):
        self.process.terminate()
        self.process.wait()
        shutil.rmtree(self.directory, ignore_errors=True)


@unittest.skipUnless(os.path.exists(DISTCCD), "distcc is not installed")
class PrefixTest(DdccTestCase):
    def setUp(self):
        super().setUp()
        self.write("add.c", SOURCE)
        os.makedirs(os.path.join(self.root, "distcc"))
        self.env["DISTCC_DIR"] = os.path.join(self.root, "distcc")

    def compile_both(self, compiler, *args):
        """ddcc's compile of add.c and the plain one's: same run, same object."""
        argv = [compiler, "-O2", "-c", "add.c", "-o", "add.o", *args]
        cached = self.ddcc(*argv)
        obj = self.read("add.o")
        plain = self.run_cmd(argv)
        self.assert_same_run(plain, cached)
        self.assertEqual(obj, self.read("add.o"))

    def test_misses_compile_on_distccd_and_hits_never_leave(self):
        server = Distccd()
        try:
            self.env.update(DDCC_PREFIX="distcc", DISTCC_HOSTS=f"127.0.0.1:{server.port}")
            for compiler in ("gcc", "clang"):
                jobs = 1 if compiler == "gcc" else 2
                self.compile_both(compiler)  # a miss: compiled by distccd
                self.assertEqual(server.jobs(jobs), jobs)
                self.compile_both(compiler)  # a hit: distccd is not asked
                self.assertEqual(server.jobs(jobs + 1, patience=0.5), jobs)
            stats = self.stats()
            self.assertEqual((stats["direct_hits"], stats["cache_misses"]), (2, 2))
        finally:
            server.stop()

    def test_a_dead_distccd_falls_back_as_distcc_does(self):
        self.env.update(DDCC_PREFIX="distcc", DISTCC_HOSTS=f"127.0.0.1:{free_port()}")
        result = self.ddcc("gcc", "-O2", "-c", "add.c", "-o", "add.o")
        self.assertEqual(result.returncode, 0, result.stderr)
        obj = self.read("add.o")
        self.assertEqual(self.run_cmd(["gcc", "-O2", "-c", "add.c", "-o", "add.o"]).returncode, 0)
        self.assertEqual(obj, self.read("add.o"))

    def test_calls_not_cached_run_through_the_prefix_too(self):
        self.env["DDCC_PREFIX"] = self.recorder(None)
        self.write("main.c", MAIN)
        self.compile_both("gcc")
        self.assertEqual(len(self.calls()), 1)  # the miss; preprocessing and probes are ddcc's
        self.compile_both("gcc")
        self.assertEqual(self.calls(), [])  # the hit runs nothing
        link = self.ddcc("gcc", "add.o", "main.c", "-o", "prog")  # a link, not cached
        self.assertEqual(link.returncode, 0, link.stderr)
        self.assertEqual(self.run_cmd(["./prog"]).returncode, 0)
        calls = self.calls()
        self.assertEqual(len(calls), 1, calls)
        self.assertTrue(calls[0].endswith("add.o main.c -o prog"), calls)

    def test_the_prefix_is_part_of_the_key(self):
        """A farm may run another compiler (icecc ships its own): its objects serve only
        compiles through the same prefix."""
        self.env["DDCC_PREFIX"] = self.recorder(None)
        self.compile_both("gcc")
        del self.env["DDCC_PREFIX"]
        self.compile_both("gcc")
        self.assertEqual(self.stats()["cache_misses"], 2)

    def test_a_prefix_not_found_costs_the_cache_not_the_build(self):
        self.env["DDCC_PREFIX"] = "no-such-distcc"
        self.compile_both("gcc")
        self.assertIn("bad prefix_command", self.log())
        self.assertEqual(self.stats()["error_reasons"]["bad_config"], 1)


if __name__ == "__main__":
    unittest.main()
