"""Remote storage on real servers on loopback, started and stopped by each test: redis-server,
and nginx with WebDAV (test_remote_tls.py runs the same over TLS). For each: one cache directory fills the remote and an empty one
gets byte-identical hits (direct mode too, and from another checkout directory with base_dir); a
read-only remote is never written; a corrupt value is a counted miss; several remotes are asked
at once; many concurrent clients; the server killed in the middle of a build. And remotes that
fail: a port nobody listens on, a server that accepts and never answers; each costs a bounded
time once, is counted, and is then left alone by later compiles. HTTP's own cases (layouts,
authentication, servers that misbehave) are in test_remote_http.py, Redis' (passwords, ACL users,
databases, client certificates) in test_remote_redis.py."""

import concurrent.futures
import os
import time
import unittest

from common import DDCC, DdccTestCase
from reliability import Project
from remote_servers import NGINX, REDIS_SERVER, NginxServer, RedisServer, SilentServer, free_port

SOURCE = '#include "util.h"\nint value(void) { return UTIL; }\n'


class RemoteTestCase(DdccTestCase):
    def setUp(self):
        super().setUp()
        self.write("include/util.h", "#define UTIL 7\n")
        self.write("main.c", SOURCE)
        self.args = ["gcc", "-Iinclude", "-c", "main.c", "-o", "main.o"]

    def with_remote(self, storage, cache=None):
        env = dict(self.env, DDCC_REMOTE_STORAGE=storage)
        if cache:
            env["DDCC_DIR"] = os.path.join(self.root, cache)
        return env

    def compile(self, env, args=None):
        """Compiles with ddcc through the storage helper, then without; returns the cached run's
        object and seconds taken. The helper is stopped after the compile, which waits for its
        uploads: what the compile stored is then on the server."""
        args = args or self.args
        self.settle()
        self.run_cmd([DDCC, "--start-server"], env=env)
        began = time.monotonic()
        cached = self.run_cmd([DDCC, *args], env=env)
        seconds = time.monotonic() - began
        self.run_cmd([DDCC, "--stop-server"], env=env)
        obj = self.read("main.o")
        plain = self.run_cmd(["/usr/bin/" + args[0], *args[1:]], env=env)
        self.assert_same_run(plain, cached)
        self.assertEqual(obj, self.read("main.o"))
        return obj, seconds

    def remote_counts(self, env):
        stats = self.stats(env)
        return {k[len("remote_"):]: stats[k] for k in
                ("remote_hits", "remote_misses", "remote_errors", "remote_timeouts")}


class ServerTests:
    """The tests every kind of remote server passes; a subclass starts the server."""

    def start_server(self):
        raise NotImplementedError

    def setUp(self):
        super().setUp()
        self.server = self.start_server()

    def tearDown(self):
        self.server.stop()
        super().tearDown()

    def test_an_empty_cache_gets_the_first_ones_results(self):
        first = self.with_remote(self.server.url(), "a")
        obj, _ = self.compile(first)
        self.assertEqual(self.stats(first)["cache_misses"], 1)
        self.assertTrue(self.server.keys())

        second = self.with_remote(self.server.url(), "b")
        self.assertEqual(self.compile(second)[0], obj)
        stats = self.stats(second)
        self.assertEqual((stats["direct_hits"], stats["cache_misses"]), (1, 0))
        self.assertEqual(self.remote_counts(second)["errors"], 0)
        self.assertGreaterEqual(self.remote_counts(second)["hits"], 2)  # manifest and result

        # Kept locally: the next hit asks the remote nothing.
        before = self.remote_counts(second)
        self.assertEqual(self.compile(second)[0], obj)
        self.assertEqual(self.stats(second)["direct_hits"], 2)
        self.assertEqual(self.remote_counts(second), before)

    def test_another_checkout_hits_with_base_dir(self):
        """CI and a developer build the same sources in different directories, naming them by
        absolute paths: with base_dir covering both, the developer hits in direct mode."""
        for tree in ("ci", "dev"):
            self.write(f"../{tree}/include/util.h", "#define UTIL 7\n")
            self.write(f"../{tree}/main.c", SOURCE)
            os.makedirs(os.path.join(self.root, tree, "build"))
        # Stamps old enough to be trusted: the developer's lookup learns its own.
        time.sleep(2.1)
        objects = {}
        for tree in ("ci", "dev"):
            project = os.path.join(self.root, tree)
            env = dict(self.with_remote(self.server.url(), f"cache-{tree}"),
                       DDCC_BASEDIR=self.root)
            result = self.run_cmd([DDCC, "gcc", f"-I{project}/include", "-c",
                                   f"{project}/main.c", "-o", "main.o"],
                                  cwd=os.path.join(project, "build"), env=env)
            self.assertEqual(result.returncode, 0, result.stderr)
            with open(os.path.join(project, "build", "main.o"), "rb") as f:
                objects[tree] = f.read()
        stats = self.stats(env)
        self.assertEqual((stats["direct_hits"], stats["cache_misses"]), (1, 0))
        self.assertEqual(objects["ci"], objects["dev"])
        # CI's manifest, with CI's stamps, was kept restamped: the next hit is local.
        before = self.remote_counts(env)
        result = self.run_cmd([DDCC, "gcc", f"-I{project}/include", "-c", f"{project}/main.c",
                               "-o", "main.o"], cwd=os.path.join(project, "build"), env=env)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(self.stats(env)["direct_hits"], 2)
        self.assertEqual(self.remote_counts(env), before)

    def test_deadlines_count_from_each_request(self):
        """A compiler slower than the timeout between two requests of one ddcc process must not
        make the second request time out."""
        slow = os.path.join(self.root, "slow", "gcc")
        os.makedirs(os.path.dirname(slow))
        with open(slow, "w") as f:
            f.write("#!/bin/sh\nsleep 0.5\nexec /usr/bin/gcc \"$@\"\n")
        os.chmod(slow, 0o755)
        env = self.with_remote(self.server.url("timeout=300"))
        self.settle()
        result = self.run_cmd([DDCC, slow, *self.args[1:]], env=env)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(self.remote_counts(env)["timeouts"], 0, self.log())
        self.assertTrue(self.server.keys())

    def test_a_read_only_remote_is_never_written(self):
        env = self.with_remote(self.server.url() + "|read-only")
        self.compile(env)
        self.assertEqual(self.stats(env)["cache_misses"], 1)
        self.assertGreater(self.remote_counts(env)["misses"], 0)
        self.assertEqual(self.server.keys(), [])

        # It still serves what a writer put there.
        self.compile(self.with_remote(self.server.url(), "writer"))
        self.assertTrue(self.server.keys())
        reader = self.with_remote(self.server.url() + "|read-only", "reader")
        keys = self.server.keys()
        self.compile(reader)
        self.assertEqual(self.stats(reader)["direct_hits"], 1)
        self.assertEqual(self.server.keys(), keys)

    def test_a_corrupt_value_is_a_counted_miss(self):
        self.compile(self.with_remote(self.server.url(), "a"))
        for key in self.server.keys():
            value = bytearray(self.server.get(key))
            value[len(value) // 2] ^= 0x10
            self.server.put(key, bytes(value))

        env = self.with_remote(self.server.url(), "b")
        self.compile(env)
        stats = self.stats(env)
        self.assertEqual((stats["cache_hits"], stats["cache_misses"]), (0, 1))
        self.assertGreater(self.remote_counts(env)["errors"], 0)
        self.assertEqual(self.remote_counts(env)["hits"], 0)
        self.assertIn("bad entry", self.log())

        # The miss wrote sound entries back: a third cache hits.
        third = self.with_remote(self.server.url(), "c")
        self.compile(third)
        self.assertEqual(self.stats(third)["direct_hits"], 1)

    def test_a_set_recorded_elsewhere_is_found_past_a_stale_local_manifest(self):
        """A developer built with one header; CI with another (another branch) and stored its
        set: after the checkout, the developer's own manifest holds no matching set, and the
        remote's does, in direct and depend mode alike."""
        for mode in ["direct", "depend"]:
            with self.subTest(mode=mode):
                dev = dict(self.with_remote(self.server.url(), f"dev-{mode}"),
                           DDCC_DEPEND="1" if mode == "depend" else "0")
                ci = dict(dev, DDCC_DIR=os.path.join(self.root, f"ci-{mode}"))
                self.write("include/util.h", f"#define UTIL 1 /* {mode} */\n")
                self.compile(dev)
                self.write("include/util.h", f"#define UTIL 2 /* {mode} */\n")
                obj, _ = self.compile(ci)
                before = self.stats(dev)["direct_hits"]
                self.assertEqual(self.compile(dev)[0], obj)
                self.assertEqual(self.stats(dev)["direct_hits"], before + 1)
                self.assertEqual(self.remote_counts(dev)["errors"], 0)

    def test_an_old_set_of_a_remote_manifest_is_found_past_a_full_local_one(self):
        """Merged into a full local manifest, a remote's keeps only its newest 16 sets: one of
        its older ones matches all the same."""
        ci = self.with_remote(self.server.url(), "ci")
        dev = self.with_remote(self.server.url() + "|read-only", "dev")  # keeps CI's as they are
        for value in range(100, 132):  # a full manifest of the developer's own
            self.write("include/util.h", f"#define UTIL {value}\n")
            self.compile(dev)
        for value in range(20, 0, -1):  # the set of 1 is the newest of CI's
            self.write("include/util.h", f"#define UTIL {value}\n")
            self.compile(ci)
        self.write("include/util.h", "#define UTIL 20\n")  # the oldest of CI's
        before = self.stats(dev)["direct_hits"]
        self.compile(dev)
        self.assertEqual(self.stats(dev)["direct_hits"], before + 1)

    def test_remotes_are_asked_at_once(self):
        obj, _ = self.compile(self.with_remote(self.server.url(), "a"))
        silent = [SilentServer(), SilentServer()]
        try:
            env = self.with_remote(" ".join(
                [f"{self.server.scheme}://127.0.0.1:{server.port}|connect-timeout=3000|timeout=3000"
                 for server in silent] +
                [self.server.url()]), "b")
            served, seconds = self.compile(env)
        finally:
            for server in silent:
                server.stop()
        self.assertEqual(served, obj)
        self.assertEqual(self.stats(env)["direct_hits"], 1)
        self.assertEqual(self.remote_counts(env)["timeouts"], 2)
        # One after the other, the two silent servers would take six seconds; at once, three and
        # what the compile costs (seconds under the sanitizers on a loaded machine).
        self.assertGreaterEqual(seconds, 3.0)
        self.assertLess(seconds, 5.0)

    def test_many_concurrent_clients(self):
        project = Project(self, 24)
        env = self.with_remote(self.server.url())
        caches = [dict(env, DDCC_DIR=os.path.join(self.root, f"client{n}")) for n in range(4)]
        with concurrent.futures.ThreadPoolExecutor(len(caches)) as pool:
            builds = pool.map(lambda n: project.wrong_outputs(f"out{n}", project.build(
                f"out{n}", caches[n])), range(len(caches)))
            self.assertEqual([wrong for wrong in builds if wrong], [])
        for cache in caches:
            self.assertEqual(self.remote_counts(cache)["errors"], 0)

        fresh = self.with_remote(self.server.url(), "fresh")
        project.check_build("fresh", fresh)
        stats = self.stats(fresh)
        self.assertEqual((stats["direct_hits"], stats["cache_misses"]), (24, 0),
                         self.remote_counts(fresh))

    def test_the_server_killed_in_the_middle_of_a_build(self):
        project = Project(self, 24)
        env = self.with_remote(self.server.url())
        with concurrent.futures.ThreadPoolExecutor(1) as pool:
            build = pool.submit(lambda: project.build("out", env, workers=2))
            while not self.server.keys():
                time.sleep(0.01)
            self.server.kill()
            self.assertEqual(project.wrong_outputs("out", build.result()), [])
        counts = self.remote_counts(env)
        self.assertGreaterEqual(counts["errors"] + counts["timeouts"], 1)
        self.assertEqual(self.stats(env)["cache_misses"], 24)


@unittest.skipUnless(REDIS_SERVER, "redis-server is not installed")
class RedisRemoteTest(ServerTests, RemoteTestCase):
    def start_server(self):
        return RedisServer(self.root)


@unittest.skipUnless(NGINX, "nginx is not installed")
class HttpRemoteTest(ServerTests, RemoteTestCase):
    def start_server(self):
        return NginxServer(self.root)


class FailingRemoteTests:
    """A subclass names the scheme."""

    scheme = None

    def failure_files(self):
        directory = os.path.join(self.cache, "remote-failures")
        return [os.path.join(directory, name) for name in os.listdir(directory)]

    def test_a_port_nobody_listens_on(self):
        env = self.with_remote(f"{self.scheme}://127.0.0.1:{free_port()}")
        # Bounds for a loaded machine: what they rule out is a wait per lookup or a hang.
        _, seconds = self.compile(env)
        self.assertLess(seconds, 5)
        self.assertEqual(self.remote_counts(env)["errors"], 1)
        self.assertEqual(self.stats(env)["cache_misses"], 1)

        # Other processes leave it alone for a while...
        self.write("other.c", "int other(void) { return 1; }\n")
        self.compile(env, ["gcc", "-c", "other.c", "-o", "main.o"])
        self.assertEqual(self.remote_counts(env)["errors"], 1)
        self.assertIn("not asking", self.log())

        # ...and ask again once the failure is old.
        for path in self.failure_files():
            with open(path, "w") as f:
                f.write(str(time.time_ns() - 31 * 10**9))
        self.write("third.c", "int third(void) { return 3; }\n")
        self.compile(env, ["gcc", "-c", "third.c", "-o", "main.o"])
        self.assertEqual(self.remote_counts(env)["errors"], 2)

    def test_a_server_that_never_answers(self):
        server = SilentServer()
        try:
            env = self.with_remote(f"{self.scheme}://127.0.0.1:{server.port}|timeout=300")
            _, seconds = self.compile(env)
            self.assertLess(seconds, 5)
            self.assertEqual(self.remote_counts(env)["timeouts"], 1)

            self.write("other.c", "int other(void) { return 1; }\n")
            _, seconds = self.compile(env, ["gcc", "-c", "other.c", "-o", "main.o"])
            self.assertLess(seconds, 5)
            self.assertEqual(self.remote_counts(env)["timeouts"], 1)
        finally:
            server.stop()


class FailingRedisTest(FailingRemoteTests, RemoteTestCase):
    scheme = "redis"


class FailingHttpTest(FailingRemoteTests, RemoteTestCase):
    scheme = "http"


if __name__ == "__main__":
    unittest.main()
