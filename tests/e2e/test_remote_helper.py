"""The storage helper: one long-lived process per user and remote configuration that compiles ask
for remote entries. It keeps the remote's connections (and TLS sessions) open from one compile to
the next, uploads in the background so that a miss never waits for its PUT, stops when idle or
asked, and whatever happens to it (killed in the middle of a build, hung, started twice at once)
a build's outputs stay those of the compiler, and the compiles go to the remote directly."""

import concurrent.futures
import http.server
import os
import signal
import subprocess
import threading
import time
import unittest

from common import DDCC
from reliability import Project
from remote_servers import (NGINX, OPENSSL, REDIS_SERVER, NginxServer, RedisServer,
                            make_certificates)
from test_remote import SOURCE, RemoteTestCase


class SlowUploadServer:
    """An HTTP store on loopback that takes `put_seconds` to answer each PUT, one thread per
    connection."""

    def __init__(self, put_seconds):
        self.stored = {}
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_GET(self):
                value = server.stored.get(self.path)
                self.send_response(200 if value is not None else 404)
                self.send_header("Content-Length", str(len(value or b"")))
                self.end_headers()
                self.wfile.write(value or b"")

            def do_PUT(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                time.sleep(put_seconds)
                server.stored[self.path] = body
                self.send_response(201)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.http = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.http.server_address[1]
        threading.Thread(target=self.http.serve_forever, daemon=True).start()

    def stop(self):
        self.http.shutdown()
        self.http.server_close()


class HelperTestCase(RemoteTestCase):
    def cached_compile(self, env, args=None):
        """One compile through ddcc, as a build runs it; returns the seconds it took."""
        self.settle()
        began = time.monotonic()
        result = self.run_cmd([DDCC, *(args or self.args)], env=env)
        self.assertEqual(result.returncode, 0, result.stderr)
        return time.monotonic() - began

    def start_helper(self, env):
        result = self.run_cmd([DDCC, "--start-server"], env=env)
        self.assertEqual((result.returncode, result.stderr), (0, b""))
        pids = self.helper_pids()
        self.assertEqual(len(pids), 1, self.log())
        # Out of the build's directory, which CI may want to unmount.
        self.assertEqual(os.readlink(f"/proc/{pids[0]}/cwd"), "/")
        return pids[0]

    def stop_helper(self, env):
        result = self.run_cmd([DDCC, "--stop-server"], env=env)
        self.assertEqual((result.returncode, result.stderr), (0, b""))

    def source(self, n):
        """A source of its own for the nth compile, so that each one misses."""
        self.write(f"s{n}.c", f"int s{n}(void) {{ return {n}; }}\n")
        return ["gcc", "-c", f"s{n}.c", "-o", f"s{n}.o"]


class ConnectionTests:
    """A subclass starts the server and says how many connections it has seen."""

    def test_compiles_share_the_helpers_connections(self):
        env = self.with_remote(self.server.url())
        self.start_helper(env)
        before = self.connections()
        for n in range(12):
            self.cached_compile(dict(env, DDCC_DIR=os.path.join(self.root, f"cache{n}")),
                                self.source(n % 4))
        # Twelve compiles, each with lookups and (the first four) writes: directly, each would
        # open a connection of its own, and over TLS pay a handshake each. The helper opens one
        # for lookups and one or two more while uploads are under way.
        self.assertLessEqual(self.connections() - before, 4, self.log())
        stats = self.stats(dict(env, DDCC_DIR=os.path.join(self.root, "cache11")))
        self.assertEqual(stats["direct_hits"], 1)
        self.assertNotIn("storage helper not used", self.log())


@unittest.skipUnless(REDIS_SERVER, "redis-server is not installed")
class RedisConnectionTest(ConnectionTests, HelperTestCase):
    def setUp(self):
        super().setUp()
        self.server = RedisServer(self.root)
        self.addCleanup(self.server.stop)

    def connections(self):
        info = self.server.command("INFO", "stats").decode()
        return int(info.split("total_connections_received:")[1].split()[0]) - 1  # this one


@unittest.skipUnless(NGINX and OPENSSL, "nginx or openssl is not installed")
class HttpsConnectionTest(ConnectionTests, HelperTestCase):
    def setUp(self):
        super().setUp()
        self.server = NginxServer(self.root, tls=make_certificates(os.path.join(self.root, "tls")))
        self.addCleanup(self.server.stop)

    def connections(self):
        return len({connection for connection, _, _ in self.server.requests()})


class HelperTest(HelperTestCase):
    def test_a_miss_does_not_wait_for_its_upload(self):
        server = SlowUploadServer(put_seconds=3)
        self.addCleanup(server.stop)
        # A connect-timeout that gives a helper on a loaded machine (the sanitized pass) a
        # second to say hello: one later than that is taken for stuck, and the compile uploads
        # itself.
        env = self.with_remote(
            f"http://127.0.0.1:{server.port}/c|connect-timeout=2000|timeout=10000", "a")
        self.start_helper(env)
        self.assertLess(self.cached_compile(env), 2.0)
        self.assertEqual(self.stats(env)["cache_misses"], 1)

        # Another cache hits at once: the helper answers from its queue.
        other = dict(env, DDCC_DIR=os.path.join(self.root, "b"))
        self.assertLess(self.cached_compile(other), 2.0)
        self.assertEqual(self.stats(other)["direct_hits"], 1)
        self.assertEqual(server.stored, {})

        # Stopping waits for the uploads.
        self.stop_helper(env)
        self.assertEqual(self.helper_pids(), [])
        self.assertGreaterEqual(len(server.stored), 2)  # manifest and result

        # Without the helper, the compile waits for its PUT.
        direct = dict(env, DDCC_DIR=os.path.join(self.root, "direct"), DDCC_STORAGE_HELPER="false")
        self.write("main.c", SOURCE + "int more(void) { return 1; }\n")
        self.assertGreaterEqual(self.cached_compile(direct), 3.0)

    @unittest.skipUnless(REDIS_SERVER, "redis-server is not installed")
    def test_the_result_a_manifest_names_is_fetched_once(self):
        """The helper fetches the result a manifest names as it passes the manifest on; the
        compile's own lookup of it is then answered from that: two GETs a remote hit, not
        three (a prefetch of the wrong key would make three)."""
        server = RedisServer(self.root)
        self.addCleanup(server.stop)
        obj, _ = self.compile(self.with_remote(server.url(), "filled"))
        env = self.with_remote(server.url(), "b")
        self.start_helper(env)
        server.command("CONFIG", "RESETSTAT")
        self.cached_compile(env)
        self.assertEqual(self.read("main.o"), obj)
        self.assertEqual(self.stats(env)["direct_hits"], 1)
        info = server.command("INFO", "commandstats").decode()
        self.assertIn("cmdstat_get:calls=2,", info)

    @unittest.skipUnless(REDIS_SERVER, "redis-server is not installed")
    def test_the_helper_killed_in_the_middle_of_a_build(self):
        server = RedisServer(self.root)
        self.addCleanup(server.stop)
        env = self.with_remote(server.url())
        project = Project(self, 24)
        pid = self.start_helper(env)
        with concurrent.futures.ThreadPoolExecutor(1) as pool:
            build = pool.submit(lambda: project.build("out", env, workers=2))
            while not server.keys():
                time.sleep(0.01)
            os.kill(pid, signal.SIGKILL)
            self.assertEqual(project.wrong_outputs("out", build.result()), [])
        self.assertEqual(self.stats(env)["cache_misses"], 24)
        self.assertEqual(self.remote_counts(env)["errors"], 0, self.log())

        # A later compile starts a new helper; the entries are there for another cache.
        fresh = self.with_remote(server.url(), "fresh")
        self.cached_compile(fresh)
        deadline = time.monotonic() + 10
        while not self.helper_pids() and time.monotonic() < deadline:
            time.sleep(0.05)
        self.assertNotIn(pid, self.helper_pids())
        self.assertEqual(len(self.helper_pids()), 1)
        project.check_build("again", fresh)

    @unittest.skipUnless(REDIS_SERVER, "redis-server is not installed")
    def test_a_hung_helper(self):
        server = RedisServer(self.root)
        self.addCleanup(server.stop)
        obj, _ = self.compile(self.with_remote(server.url(), "filled"))
        env = self.with_remote(server.url(), "a")
        pid = self.start_helper(env)
        os.kill(pid, signal.SIGSTOP)
        self.addCleanup(os.kill, pid, signal.SIGCONT)
        # Served directly, after the helper's connect-timeout.
        self.assertLess(self.cached_compile(env), 5)
        self.assertEqual(self.read("main.o"), obj)
        self.assertEqual(self.stats(env)["direct_hits"], 1)
        self.assertIn("did not say hello in time", self.log())

        # Other compiles leave it alone for a while.
        other = self.with_remote(server.url(), "b")
        self.assertLess(self.cached_compile(other), 5)
        self.assertEqual(self.stats(other)["direct_hits"], 1)
        self.assertIn("it was stuck less than", self.log())

        # A script's --start-server and --stop-server say so, within their second.
        for command, said in [("--start-server", b"does not answer"),
                              ("--stop-server", b"does not answer")]:
            began = time.monotonic()
            result = self.run_cmd([DDCC, command], env=env)
            self.assertLess(time.monotonic() - began, 5)
            self.assertEqual(result.returncode, 0)
            self.assertIn(said, result.stderr)

    @unittest.skipUnless(REDIS_SERVER, "redis-server is not installed")
    def test_started_twice_at_once(self):
        server = RedisServer(self.root)
        self.addCleanup(server.stop)
        env = self.with_remote(server.url())
        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            starts = [pool.submit(self.run_cmd, [DDCC, "--start-server"], env=env)
                      for _ in range(4)]
            compiles = [pool.submit(self.run_cmd, [DDCC, *self.source(n)],
                                    env=dict(env, DDCC_DIR=os.path.join(self.root, f"c{n}")))
                        for n in range(4)]
            for future in starts + compiles:
                self.assertEqual(future.result().returncode, 0, future.result().stderr)
        time.sleep(2.5)  # what a helper that lost the race waits for the lock, and more
        helpers = [pid for pid in os.listdir("/proc") if pid.isdigit() and
                   self.is_helper(pid)]
        self.assertEqual(len(helpers), 1, helpers)
        self.assertEqual(self.helper_pids(), [int(helpers[0])])

    def is_helper(self, pid):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                return f"--storage-helper\0{self.runtime}/".encode() in f.read()
        except OSError:
            return False

    @unittest.skipUnless(REDIS_SERVER, "redis-server is not installed")
    def test_an_idle_helper_stops(self):
        server = RedisServer(self.root)
        self.addCleanup(server.stop)
        env = dict(self.with_remote(server.url()), DDCC_STORAGE_HELPER_IDLE_TIMEOUT="1")
        pid = self.start_helper(env)
        self.cached_compile(env)
        deadline = time.monotonic() + 10
        while self.is_helper(pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        self.assertFalse(self.is_helper(pid))
        self.assertEqual(os.listdir(os.path.join(self.runtime, "ddcc")),
                         [name for name in os.listdir(os.path.join(self.runtime, "ddcc"))
                          if name.endswith(".lock")])  # the socket is gone
        self.assertIn("storage helper: idle", self.log())

    def test_a_helper_whose_socket_is_removed_stops(self):
        """A cleaner of the runtime directory removed its socket: compiles cannot reach it, and
        its lock would keep another from starting until it idled out."""
        server = RedisServer(self.root)
        self.addCleanup(server.stop)
        env = self.with_remote(server.url())
        pid = self.start_helper(env)
        directory = os.path.join(self.runtime, "ddcc")
        for name in os.listdir(directory):
            if name.endswith(".sock"):
                os.remove(os.path.join(directory, name))
        deadline = time.monotonic() + 10
        while self.is_helper(pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        self.assertFalse(self.is_helper(pid))
        self.assertIn("its socket was removed", self.log())
        self.cached_compile(env)  # starts another
        self.assertEqual(len(self.helper_pids()), 1)
        self.stop_helper(env)

    @unittest.skipUnless(NGINX and OPENSSL, "nginx or openssl is not installed")
    def test_a_relative_ca_file_is_the_compiles(self):
        """The helper works from the root directory; a ca-file named relative to the compile's
        directory still names the same file, and a compile elsewhere gets a helper of its own."""
        tls = make_certificates(os.path.join(self.root, "tls"))
        server = NginxServer(self.root, tls=tls)
        self.addCleanup(server.stop)
        relative = os.path.relpath(tls["ca"], self.work)
        env = self.with_remote(server.url(trust=False) + f"|ca-file={relative}", "a")
        obj, _ = self.compile(env)
        self.start_helper(env)
        other = dict(env, DDCC_DIR=os.path.join(self.root, "b"))
        self.cached_compile(other)
        self.assertEqual(self.read("main.o"), obj)
        self.assertEqual(self.stats(other)["direct_hits"], 1)
        self.assertEqual(self.remote_counts(other)["errors"], 0, self.log())
        self.assertNotIn("storage helper not used", self.log())

        elsewhere = os.path.join(self.root, "elsewhere")
        os.makedirs(elsewhere)
        result = self.run_cmd([DDCC, "--start-server"], cwd=elsewhere, env=env)
        self.assertEqual(result.returncode, 0)
        self.assertEqual(len(self.helper_pids()), 2)

    @unittest.skipUnless(NGINX and OPENSSL, "nginx or openssl is not installed")
    def test_what_openssl_trusts_gets_a_helper_of_its_own(self):
        """Without a ca-file, SSL_CERT_FILE says whom TLS trusts, in the helper, which connects:
        a compile that trusts the server through it is not served by a helper started without
        it, nor the reverse."""
        tls = make_certificates(os.path.join(self.root, "tls"))
        server = NginxServer(self.root, tls=tls)
        self.addCleanup(server.stop)
        url = server.url(trust=False)
        trusting = dict(self.with_remote(url, "filled"), SSL_CERT_FILE=tls["ca"])
        obj, _ = self.compile(trusting)
        self.start_helper(self.with_remote(url, "untrusting"))
        env = dict(self.with_remote(url, "a"), SSL_CERT_FILE=tls["ca"])
        self.cached_compile(env)
        self.assertEqual(self.read("main.o"), obj)
        self.assertEqual(self.stats(env)["direct_hits"], 1)
        self.assertEqual(self.remote_counts(env)["errors"], 0, self.log())

    @unittest.skipUnless(REDIS_SERVER, "redis-server is not installed")
    @unittest.skipUnless(os.getuid() == 0, "giving a directory to another user needs root")
    def test_another_users_runtime_directory_is_passed_over(self):
        """sudo may keep the invoking user's XDG_RUNTIME_DIR: the helper's socket then goes
        below TMPDIR instead of into a directory of someone else's."""
        server = RedisServer(self.root)
        self.addCleanup(server.stop)
        foreign = os.path.join(self.root, "foreign")
        os.makedirs(foreign)
        os.chown(foreign, 65534, 65534)
        tmp = os.path.join(self.root, "tmp")
        os.makedirs(tmp)
        env = dict(self.with_remote(server.url()), XDG_RUNTIME_DIR=foreign, TMPDIR=tmp)
        self.start_helper_in(env, os.path.join(tmp, f"ddcc-{os.getuid()}"))
        self.assertEqual(os.listdir(foreign), [])

    def start_helper_in(self, env, directory):
        result = self.run_cmd([DDCC, "--start-server"], env=env)
        self.assertEqual((result.returncode, result.stderr), (0, b""))
        self.assertTrue(any(name.endswith(".sock") for name in os.listdir(directory)))
        self.run_cmd([DDCC, "--stop-server"], env=env)

    @unittest.skipUnless(REDIS_SERVER, "redis-server is not installed")
    def test_a_socket_directory_others_may_enter_is_not_used(self):
        server = RedisServer(self.root)
        self.addCleanup(server.stop)
        os.makedirs(os.path.join(self.runtime, "ddcc"), mode=0o755)
        os.chmod(os.path.join(self.runtime, "ddcc"), 0o755)
        env = self.with_remote(server.url())
        self.cached_compile(env)
        self.assertIn("is not a directory of this user's alone", self.log())
        self.assertEqual(self.helper_pids(), [])
        self.assertEqual(self.remote_counts(env)["errors"], 0)
        self.assertTrue(server.keys())


    @unittest.skipUnless(REDIS_SERVER, "redis-server is not installed")
    @unittest.skipUnless(os.getuid() == 0, "a socket of another user's needs root")
    def test_a_socket_of_another_users_at_the_helpers_place_is_told_nothing(self):
        """Another user may swap the helper's directory for one of its own where the parent is
        writable by others: the compile asks who listens, and tells another user nothing."""
        server = RedisServer(self.root)
        self.addCleanup(server.stop)
        obj, _ = self.compile(self.with_remote(server.url(), "filled"))
        env = self.with_remote(server.url(), "a")
        self.start_helper(env)
        directory = os.path.join(self.runtime, "ddcc")
        socket_name = next(name for name in os.listdir(directory) if name.endswith(".sock"))
        self.stop_helper(env)
        # nobody's listener, which records whatever it is sent, moved to the helper's place.
        theirs = os.path.join(self.root, "theirs")
        os.makedirs(theirs)
        os.chown(theirs, 65534, 65534)
        os.chmod(self.root, 0o711)  # for nobody to reach its directory
        listener = subprocess.Popen(
            ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", "/usr/bin/python3",
             "-c",
             "import socket, sys\n"
             "s = socket.socket(socket.AF_UNIX)\ns.bind(sys.argv[1])\ns.listen(8)\n"
             "print('listening', flush=True)\n"
             "while True:\n"
             "    c, _ = s.accept()\n"
             "    c.settimeout(2)\n"
             "    try:\n"
             "        data = c.recv(65536)\n"
             "    except OSError:\n"
             "        data = b''\n"
             "    if data:\n"
             "        open(sys.argv[2], 'ab').write(data)\n",
             os.path.join(theirs, "s.sock"), os.path.join(theirs, "told")],
            stdout=subprocess.PIPE)
        self.addCleanup(listener.kill)
        self.assertEqual(listener.stdout.readline(), b"listening\n")
        os.rename(os.path.join(theirs, "s.sock"), os.path.join(directory, socket_name))
        self.assertLess(self.cached_compile(env), 5)
        self.assertEqual(self.read("main.o"), obj)
        self.assertEqual(self.stats(env)["direct_hits"], 1)
        self.assertFalse(os.path.exists(os.path.join(theirs, "told")))
        self.assertIn("another user's", self.log())

if __name__ == "__main__":
    unittest.main()
