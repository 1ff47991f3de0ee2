"""HTTP remote storage's own cases, on nginx with WebDAV and on scripted servers on loopback: the
bazel-remote layout, Basic authentication, connections the server closes, and servers that
answer what no storage server should."""

import os
import random
import time
import unittest

from common import DDCC
from remote_servers import (NGINX, OPENSSL, PATIENT, NginxServer, ScriptedHttpServer,
                            make_certificates)
from test_remote import RemoteTestCase


def response(status, body=b"", headers=""):
    return (f"HTTP/1.1 {status}\r\nContent-Length: {len(body)}\r\n{headers}\r\n").encode() + body


class PacedStore(ScriptedHttpServer):
    """Keeps what is PUT, and answers a GET with it `chunk` bytes at a time, `pause` seconds
    apart, as a slow link would."""

    def __init__(self, chunk, pause, endless=False, slow_reads=False):
        self.stored = {}
        self.chunk = chunk
        self.pause = pause
        self.endless = endless  # a GET's answer never ends, as a wrong URL's stream may not
        self.slow_reads = slow_reads  # a PUT's body is read at the same pace
        super().__init__(self.store)

    def store(self, line, body):
        method, path, _ = line.split(" ", 2)
        if method == "PUT":
            self.stored[path] = body
            return response("201 Created")
        value = self.stored.get(path)
        return response("404 Not Found") if value is None else response("200 OK", value)

    def handle(self, connection):
        with connection, connection.makefile("rb") as stream:
            connection.settimeout(5)
            line = stream.readline()
            length = 0
            while (header := stream.readline()) not in (b"\r\n", b""):
                name, _, value = header.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value)
            body = b""
            while len(body) < length:
                if body and self.slow_reads:
                    time.sleep(self.pause)
                piece = stream.read(min(self.chunk, length - len(body)))
                if not piece:
                    break
                body += piece
            answer = self.store(line.decode(), body)
            try:
                if self.endless and line.startswith(b"GET"):
                    connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 4000000000\r\n\r\n")
                    while True:
                        connection.sendall(b"\0" * self.chunk)
                        time.sleep(self.pause)
                for at in range(0, len(answer), self.chunk):
                    if at:
                        time.sleep(self.pause)
                    connection.sendall(answer[at:at + self.chunk])
            except OSError:
                pass  # the client gave up


@unittest.skipUnless(NGINX, "nginx is not installed")
class NginxTest(RemoteTestCase):
    def start(self, config=""):
        self.server = NginxServer(self.root, config)
        self.addCleanup(self.server.stop)
        return self.server

    def test_the_bazel_layout(self):
        """bazel-remote's action cache: /ac/ and 64 hex digits, below the URL's path."""
        server = self.start()
        url = server.url(f"{PATIENT}|layout=bazel", path="/team/cache")
        obj, _ = self.compile(self.with_remote(url, "a"))
        keys = server.keys()
        self.assertTrue(keys)
        for key in keys:
            self.assertRegex(key, r"^team/cache/ac/[0-9a-f]{64}$")

        second = self.with_remote(url, "b")
        self.assertEqual(self.compile(second)[0], obj)
        self.assertEqual(self.stats(second)["direct_hits"], 1)
        self.assertIn("layout=bazel",
                      self.run_cmd([DDCC, "--show-config"], env=second).stdout.decode())

    def test_basic_authentication(self):
        with open(os.path.join(self.root, "htpasswd"), "w") as f:
            f.write("ci:{PLAIN}s3cret\n")
        server = self.start(f'auth_basic "ddcc"; auth_basic_user_file {self.root}/htpasswd;')

        refused = self.with_remote(server.url().replace("http://", "http://ci:wrong@"), "a")
        self.compile(refused)
        self.assertEqual(self.remote_counts(refused)["errors"], 1)
        self.assertEqual(server.keys(), [])
        self.assertNotIn("wrong", self.log())

        os.remove(self.env["DDCC_LOGFILE"])
        writer = self.with_remote(server.url().replace("http://", "http://ci:s3cret@"), "b")
        obj, _ = self.compile(writer)
        self.assertTrue(server.keys())
        reader = self.with_remote(server.url().replace("http://", "http://ci:s3cret@"), "c")
        self.assertEqual(self.compile(reader)[0], obj)
        self.assertEqual(self.stats(reader)["direct_hits"], 1)
        self.assertEqual(self.remote_counts(reader)["errors"], 0)
        self.assertNotIn("s3cret", self.log())

    def test_a_server_that_closes_every_connection(self):
        server = self.start("keepalive_timeout 0;")
        obj, _ = self.compile(self.with_remote(server.url(), "a"))
        second = self.with_remote(server.url(), "b")
        self.assertEqual(self.compile(second)[0], obj)
        self.assertEqual(self.stats(second)["direct_hits"], 1)
        self.assertEqual(self.remote_counts(second)["errors"], 0)

    def test_one_connection_carries_a_compiles_requests(self):
        """Without the storage helper (test_remote_helper.py has its own count)."""
        server = self.start()
        self.compile(dict(self.with_remote(server.url(), "a"), DDCC_STORAGE_HELPER="false"))
        requests = [r for r in server.requests() if r[1].startswith(("GET /ddcc/", "PUT /ddcc/"))]
        self.assertGreaterEqual(len(requests), 4, requests)  # lookups, then writes
        self.assertEqual(len({connection for connection, _, _ in requests}), 1, requests)


@unittest.skipUnless(NGINX and OPENSSL, "nginx or openssl is not installed")
class TlsTest(RemoteTestCase):
    def test_the_servers_certificate_is_verified(self):
        """Trusted through ca-file: shared. Not trusted (the system's store knows nothing of the
        test's authority), for another name, or with a ca-file that cannot be read: the remote
        is not used (an error, a clear line in the log), and the build goes on as without it.
        insecure: used unverified."""
        tls = make_certificates(os.path.join(self.root, "tls"))
        server = NginxServer(self.root, tls=tls)
        self.addCleanup(server.stop)
        obj, _ = self.compile(self.with_remote(server.url(), "filled"))
        self.assertTrue(server.keys())

        elsewhere = make_certificates(os.path.join(self.root, "tls-elsewhere"),
                                      names=("DNS:elsewhere.example",))
        other_name = NginxServer(os.path.join(self.root, "other"), tls=elsewhere)
        self.addCleanup(other_name.stop)
        refused = {
            "no ca-file": server.url(trust=False),
            "another name": other_name.url(),  # its authority trusted, its name not 127.0.0.1
            "an unreadable ca-file": server.url(trust=False) + "|ca-file=/nonexistent/ca.pem",
        }
        for case, url in refused.items():
            with self.subTest(case=case):
                env = self.with_remote(url, case.replace(" ", "-"))
                self.assertEqual(self.compile(env)[0], obj)
                stats = self.stats(env)
                self.assertEqual((stats["direct_hits"], stats["cache_misses"]), (0, 1))
                self.assertEqual(self.remote_counts(env)["errors"], 1)
        log = self.log()
        self.assertIn("certificate is not trusted", log)
        self.assertIn("/nonexistent/ca.pem", log)

        insecure = self.with_remote(server.url(trust=False) + "|insecure", "insecure")
        self.assertEqual(self.compile(insecure)[0], obj)
        self.assertEqual(self.stats(insecure)["direct_hits"], 1)


class ScriptedServerTest(RemoteTestCase):
    """Servers that answer one connection at a time: the compiles talk to them directly, as
    the storage helper would open a second connection while the server waits on the first."""

    def setUp(self):
        super().setUp()
        self.env["DDCC_STORAGE_HELPER"] = "false"

    def serve(self, answer, close_after=True):
        server = ScriptedHttpServer(answer, close_after)
        self.addCleanup(server.stop)
        return server

    def test_a_kept_connection_closed_by_the_server_is_opened_again(self):
        """The server answers without 'Connection: close', then closes: each request after the
        first finds the connection closed, and goes again on a new one."""
        server = self.serve(lambda line, body: response("404 Not Found" if line.startswith("GET")
                                                  else "201 Created"))
        env = self.with_remote(f"http://127.0.0.1:{server.port}/x|{PATIENT}")
        self.compile(env)
        self.assertEqual(self.remote_counts(env)["errors"], 0, self.log())
        self.assertEqual(self.stats(env)["cache_misses"], 1)
        puts = [line for line in server.request_lines if line.startswith("PUT")]
        self.assertGreaterEqual(len(puts), 2, server.request_lines)
        self.assertEqual(len(puts), len(set(puts)), server.request_lines)

    def test_a_large_entry_on_a_slow_link_is_served_while_it_keeps_coming(self):
        """`timeout` bounds a request, and each 64 KiB that arrive push it back: a 1 MiB entry at
        about a megabyte a second is served, an answer that trickles in still times out."""
        data = ", ".join(str(b) for b in random.Random(5).randbytes(1 << 20))
        self.write("main.c", f"const unsigned char blob[] = {{{data}}};\n")
        for chunk, pause, served in [(64 * 1024, 0.06, True), (512, 0.1, False)]:
            with self.subTest(chunk=chunk):
                server = self.serve_paced(chunk, pause)
                url = f"http://127.0.0.1:{server.port}/x"
                obj, _ = self.compile(self.with_remote(url, f"filled-{chunk}"))
                env = self.with_remote(url, f"empty-{chunk}")
                self.assertEqual(self.compile(env)[0], obj)
                stats = self.stats(env)
                self.assertEqual(stats["direct_hits"], 1 if served else 0)
                self.assertEqual(self.remote_counts(env)["timeouts"], 0 if served else 1)

    def test_a_large_entry_sent_on_a_slow_link_is_stored(self):
        """A PUT is answered only once the server has read it all: each 64 KiB it sends adds a
        timeout to its deadline, so a 1 MiB entry read at about a megabyte a second is stored."""
        data = ", ".join(str(b) for b in random.Random(6).randbytes(1 << 20))
        self.write("main.c", f"const unsigned char blob[] = {{{data}}};\n")
        server = PacedStore(64 * 1024, 0.06, slow_reads=True)
        self.addCleanup(server.stop)
        url = f"http://127.0.0.1:{server.port}/x"
        filled = self.with_remote(url, "filled")
        obj, _ = self.compile(filled)
        self.assertEqual(self.remote_counts(filled)["timeouts"], 0)
        env = self.with_remote(url, "empty")
        self.assertEqual(self.compile(env)[0], obj)
        self.assertEqual(self.stats(env)["direct_hits"], 1)

    def test_an_answer_without_end_ends_all_the_same(self):
        """Each 64 KiB that arrive push the deadline back, never past 20 timeouts."""
        server = self.serve_paced(64 * 1024, 0.02, endless=True)
        env = self.with_remote(f"http://127.0.0.1:{server.port}/x|timeout=100")
        began = time.monotonic()
        self.compile(env)
        self.assertLess(time.monotonic() - began, 6)
        self.assertEqual(self.remote_counts(env)["timeouts"], 1)

    def serve_paced(self, chunk, pause, endless=False):
        server = PacedStore(chunk, pause, endless)
        self.addCleanup(server.stop)
        return server

    def test_answers_no_storage_server_gives(self):
        answers = {
            "garbage": lambda line, body: b"SSH-2.0-OpenSSH_9.2\r\n\r\n",
            "server error": lambda line, body: response("500 Internal Server Error", b"oops"),
            "a forbidden write": lambda line, body: response(
                "404 Not Found" if line.startswith("GET") else "403 Forbidden"),
            "a damaged entry": lambda line, body: response("200 OK", b"DDCC" + b"\0" * 60),
            "a body cut short": lambda line, body: b"HTTP/1.1 200 OK\r\nContent-Length: 9000\r\n\r\nab",
            "a bad chunk": lambda line, body: (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                                         b"zz\r\n"),
        }
        for n, (name, answer) in enumerate(answers.items()):
            with self.subTest(name):
                server = self.serve(answer)
                env = self.with_remote(f"http://127.0.0.1:{server.port}|{PATIENT}", f"c{n}")
                self.compile(env)
                counts = self.remote_counts(env)
                self.assertGreaterEqual(counts["errors"], 1, name)
                self.assertEqual(counts["hits"], 0, name)
                self.assertEqual(self.stats(env)["cache_misses"], 1, name)

    def test_chunked_answers_are_read(self):
        """A server that sends entries chunked, as Go's net/http does for bodies it streams."""
        stored = {}

        def answer(line, body):
            method, path, _ = line.split()
            if method == "PUT":
                stored[path] = body
                return response("201 Created")
            if path not in stored:
                return response("404 Not Found")
            value = stored[path]
            chunks = b"".join(b"%x;name=value\r\n%s\r\n" % (len(value[i:i + 100]), value[i:i + 100])
                              for i in range(0, len(value), 100))
            return (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + chunks +
                    b"0\r\nX-Trailer: yes\r\n\r\n")

        server = self.serve(answer, close_after=False)
        url = f"http://127.0.0.1:{server.port}|{PATIENT}"
        obj, _ = self.compile(self.with_remote(url, "a"))
        self.assertGreaterEqual(len(stored), 2)
        second = self.with_remote(url, "b")
        self.assertEqual(self.compile(second)[0], obj)
        self.assertEqual(self.stats(second)["direct_hits"], 1)
        self.assertEqual(self.remote_counts(second)["errors"], 0, self.log())


if __name__ == "__main__":
    unittest.main()
